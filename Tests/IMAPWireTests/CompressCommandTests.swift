import NIOCore
import Testing

@testable import IMAPWire

/// compress = "COMPRESS" SP algorithm   (RFC 4978 §3)
@Suite struct CompressCommandTests {
    @Test func algorithmIsAnAtomInAnyCase() {
        #expect(command("a COMPRESS DEFLATE\r\n") == .compress(algorithm: "DEFLATE"))
        #expect(command("a compress deflate\r\n") == .compress(algorithm: "DEFLATE"))
        // Unknown algorithms parse; the session answers them BAD with its own text.
        #expect(command("a COMPRESS X-LZ4\r\n") == .compress(algorithm: "X-LZ4"))
    }

    @Test func malformedCommandsAreRejected() {
        expectError("a COMPRESS\r\n")
        expectError("a COMPRESS \r\n")
        expectError("a COMPRESS DEFLATE x\r\n")
        expectError("a COMPRESS \"DEFLATE\"\r\n")
        expectError("a COMPRESS (DEFLATE)\r\n")
    }

    @Test func encodesAsItParses() {
        let buffer = CommandEncoder().encode(TaggedCommand(tag: "c1", command: .compress(algorithm: "DEFLATE")))
        #expect(String(buffer: buffer) == "c1 COMPRESS DEFLATE\r\n")
    }

    /// What follows COMPRESS on the wire is compressed: the framer gives it back unparsed, whatever the
    /// chunking, and is left at a command boundary.
    @Test(arguments: [1, 3, 7, 1000])
    func takeBufferedReturnsTheBytesAfterTheCommand(chunk: Int) {
        let input = Array("a COMPRESS DEFLATE\r\n".utf8) + [0x00, 0xFF, 0x0D, 0x0A, 0x42, 0x0A]
        var framer = CommandFramer()
        var commandSeen = false
        var offset = 0
        while offset < input.count && !commandSeen {
            let end = min(offset + chunk, input.count)
            framer.append(ByteBuffer(bytes: input[offset..<end]))
            offset = end
            if case .command(let tagged)? = framer.next() {
                #expect(tagged.command == .compress(algorithm: "DEFLATE"))
                commandSeen = true
            }
        }
        #expect(commandSeen)
        var rest = framer.takeBuffered()
        rest.writeBytes(input[offset...])
        #expect(Array(rest.readableBytesView) == [0x00, 0xFF, 0x0D, 0x0A, 0x42, 0x0A])
        #expect(framer.bufferedByteCount == 0)
        framer.append(ByteBuffer(string: "b NOOP\r\n"))
        #expect(framer.next() == .command(TaggedCommand(tag: "b", command: .noop)))
    }
}
