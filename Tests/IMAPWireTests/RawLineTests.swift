import NIOCore
import Testing

@testable import IMAPWire

@Suite struct RawLineTests {
    @Test func idleDone() {
        #expect(
            events("a IDLE\r\nDONE\r\nb NOOP\r\n") == [
                .command(TaggedCommand(tag: "a", command: .idle)), .rawLine(ByteBuffer(string: "DONE")),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func authenticateResponsesAreNotParsed() {
        var framer = CommandFramer()
        framer.append(ByteBuffer(string: "a AUTHENTICATE PLAIN\r\n{5}\r\n\r\n"))
        #expect(
            framer.next()
                == .command(TaggedCommand(tag: "a", command: .authenticate(mechanism: "PLAIN", initialResponse: nil))))
        framer.expectRawLine()
        #expect(framer.next() == .rawLine(ByteBuffer(string: "{5}")))
        framer.expectRawLine()
        #expect(framer.next() == .rawLine(ByteBuffer()))
        #expect(framer.next() == nil)
    }

    @Test func rawLineTooLongIsFatal() {
        var limits = IMAPLimits()
        limits.maxLineLength = 8
        var framer = CommandFramer(limits: limits)
        framer.expectRawLine()
        framer.append(ByteBuffer(string: "0123456789"))
        #expect(framer.next() == .fatal(message: "line too long"))
        #expect(framer.next() == nil)
    }

    @Test func startTLSDiscardsPipelinedBytes() {
        var framer = CommandFramer()
        framer.append(ByteBuffer(string: "a STARTTLS\r\nb LOGIN injected pw\r\nc NO"))
        #expect(framer.next() == .command(TaggedCommand(tag: "a", command: .starttls)))
        #expect(framer.bufferedByteCount == 25)
        framer.discardBuffered()
        #expect(framer.bufferedByteCount == 0)
        #expect(framer.next() == nil)
        framer.append(ByteBuffer(string: "d NOOP\r\n"))
        #expect(framer.next() == .command(TaggedCommand(tag: "d", command: .noop)))
    }

    @Test func discardDropsPartialCommand() {
        var framer = CommandFramer()
        framer.append(ByteBuffer(string: "a LOGIN {4}\r\nfr"))
        #expect(framer.next() == .continuationRequest)
        framer.discardBuffered()
        framer.append(ByteBuffer(string: "b NOOP\r\n"))
        #expect(framer.next() == .command(TaggedCommand(tag: "b", command: .noop)))
    }

    @Test func nothingAfterFatal() {
        var framer = CommandFramer(limits: IMAPLimits(maxLineLength: 4))
        framer.append(ByteBuffer(string: "a NOOP\r\nb NOOP\r\n"))
        #expect(framer.next() == .fatal(message: "line too long"))
        framer.append(ByteBuffer(string: "c\r\n"))
        #expect(framer.next() == nil)
        framer.discardBuffered()
        framer.append(ByteBuffer(string: "c\r\n"))
        #expect(framer.next() == nil)
    }
}
