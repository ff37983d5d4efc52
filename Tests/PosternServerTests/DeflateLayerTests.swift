import CompressNIO
import IMAPSession
import IMAPWire
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import PosternServer

/// The COMPRESS=DEFLATE layer (RFC 4978 §4) on an EmbeddedChannel, with zlib as the client.
@Suite struct DeflateLayerTests {
    /// The client's side: raw deflate with zlib's defaults (32 KB window), sync flush per send.
    final class Peer {
        let compressor: ZlibCompressor
        let decompressor: ZlibDecompressor

        init() throws {
            compressor = try ZlibCompressor(algorithm: .deflate)
            decompressor = try ZlibDecompressor(algorithm: .deflate)
        }

        func compress(_ text: String) throws -> ByteBuffer {
            try compress(ByteBuffer(string: text))
        }

        func compress(_ input: ByteBuffer) throws -> ByteBuffer {
            var input = input
            var output = ByteBuffer()
            output.reserveCapacity(compressor.maxSize(from: input))
            try compressor.deflate(from: &input, to: &output, flush: .sync)
            return output
        }

        func inflate(_ input: ByteBuffer) throws -> String {
            var input = input
            var output = ByteBuffer()
            output.reserveCapacity(1024 * 1024)
            try decompressor.inflate(from: &input, to: &output)
            return String(buffer: output)
        }
    }

    /// Stands for the connection handler behind the layer: passes `read` on only while `reading`.
    final class ReadGate: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reading = false
        var context: ChannelHandlerContext?
        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
        func read(context: ChannelHandlerContext) {
            if reading { context.read() }
        }
        /// One read, as the connection handler asks when its buffer has room.
        func pull() { context?.read() }
    }

    func drainInbound(_ channel: EmbeddedChannel) throws -> ByteBuffer {
        var all = ByteBuffer()
        while var buffer = try channel.readInbound(as: ByteBuffer.self) { all.writeBuffer(&buffer) }
        return all
    }

    @Test func writesAreDeflatedWithASyncFlushEach() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([try InflateHandler(), DeflateHandler()])
        let peer = try Peer()
        for text in ["* OK first\r\n", "* 1 FETCH (FLAGS ())\r\n* 1 FETCH (FLAGS ())\r\na OK done\r\n"] {
            try channel.writeOutbound(ByteBuffer(string: text))
            let wire = try #require(try channel.readOutbound(as: ByteBuffer.self))
            // Z_SYNC_FLUSH ends in an empty stored block: 00 00 FF FF.
            #expect(Array(wire.readableBytesView.suffix(4)) == [0, 0, 0xFF, 0xFF])
            #expect(try peer.inflate(wire) == text)
        }
        _ = try channel.finish()
    }

    @Test(arguments: [1, 2, 5, 64, 100_000])
    func inputInflatesWhateverTheChunking(chunk: Int) throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([try InflateHandler(), DeflateHandler()])
        let peer = try Peer()
        let text = "a NOOP\r\n" + (0..<200).map { "b\($0) FETCH \($0) (FLAGS BODY.PEEK[])\r\n" }.joined()
        var wire = try peer.compress(text)
        while wire.readableBytes > 0 {
            let piece = wire.readSlice(length: min(chunk, wire.readableBytes))!
            try channel.writeInbound(piece)
        }
        #expect(String(buffer: try drainInbound(channel)) == text)
        _ = try channel.finish()
    }

    /// The decompression-bomb bound: 16 MB of zeros arrive as about 16 KB; while the handler behind
    /// asks for nothing, at most one chunk is inflated, the rest waits compressed.
    @Test func aBombInflatesOnlyAsFastAsItIsRead() throws {
        let channel = EmbeddedChannel()
        let gate = ReadGate()
        let inflate = try InflateHandler()
        try channel.pipeline.syncOperations.addHandlers([inflate, gate])
        let peer = try Peer()
        let size = 16 * 1024 * 1024
        let bomb = try peer.compress(ByteBuffer(repeating: 0, count: size))
        #expect(bomb.readableBytes < size / 500)
        try channel.writeInbound(bomb)
        channel.embeddedEventLoop.run()
        #expect(try drainInbound(channel).readableBytes == DeflateSettings.maxInflatedBytesPerRead)
        #expect(inflate.backlogBytes > 0)
        // Each read the handler behind asks for gives one more chunk.
        gate.pull()
        channel.embeddedEventLoop.run()
        #expect(try drainInbound(channel).readableBytes == DeflateSettings.maxInflatedBytesPerRead)
        // Reading freely, the rest arrives, chunk by chunk.
        gate.reading = true
        var total = 2 * DeflateSettings.maxInflatedBytesPerRead
        var largest = 0
        channel.read()
        for _ in 0..<(size / DeflateSettings.maxInflatedBytesPerRead + 10) {
            channel.embeddedEventLoop.run()
            while let buffer = try channel.readInbound(as: ByteBuffer.self) {
                total += buffer.readableBytes
                largest = max(largest, buffer.readableBytes)
            }
        }
        #expect(total == size)
        #expect(largest <= DeflateSettings.maxInflatedBytesPerRead)
        #expect(inflate.backlogBytes == 0)
        _ = try channel.finish()
    }

    @Test func inputThatIsNoDeflateStreamIsAnError() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([try InflateHandler(), DeflateHandler()])
        // Block type 3 is reserved (RFC 1951 §3.2.3).
        #expect(throws: (any Error).self) { try channel.writeInbound(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])) }
        _ = try? channel.finish()
    }

    /// RFC 4978 gives the client no way to end the stream: input after a final block is an error.
    @Test func inputAfterTheEndOfTheStreamIsAnError() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([try InflateHandler(), DeflateHandler()])
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var input = ByteBuffer(string: "a NOOP\r\n")
        var ended = ByteBuffer()
        ended.reserveCapacity(compressor.maxSize(from: input))
        try compressor.deflate(from: &input, to: &ended, flush: .finish)
        ended.writeString("b NOOP\r\n")
        #expect(throws: (any Error).self) { try channel.writeInbound(ended) }
        #expect(String(buffer: try drainInbound(channel)) == "a NOOP\r\n")
        _ = try? channel.finish()
    }

    /// After `compressorIdleRelease` without output the compressor is given up; the next response
    /// comes from a new one, and the client's stream goes on undisturbed.
    @Test func idleCompressorIsReleasedAndTheStreamGoesOn() throws {
        let channel = EmbeddedChannel()
        let deflate = DeflateHandler()
        try channel.pipeline.syncOperations.addHandlers([try InflateHandler(), deflate])
        let peer = try Peer()
        try channel.writeOutbound(ByteBuffer(string: "* OK one\r\n"))
        #expect(try peer.inflate(try #require(try channel.readOutbound(as: ByteBuffer.self))) == "* OK one\r\n")
        #expect(deflate.holdsCompressor)
        channel.embeddedEventLoop.advanceTime(by: DeflateSettings.compressorIdleRelease + .seconds(1))
        #expect(!deflate.holdsCompressor)
        for text in ["* OK one\r\n", "* OK two, one\r\n"] {
            try channel.writeOutbound(ByteBuffer(string: text))
            #expect(try peer.inflate(try #require(try channel.readOutbound(as: ByteBuffer.self))) == text)
        }
        _ = try channel.finish()
    }

    /// `.startCompression`: the tagged OK leaves uncompressed, and what the client pipelined behind
    /// COMPRESS (already compressed) reaches the session as the next command.
    @Test func connectionHandlerStartsTheLayerAfterTheTaggedOK() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: SessionInput.self)
        let handler = IMAPConnectionHandler(
            limits: .default, events: continuation, startTLS: nil, idleTimeout: .seconds(60),
            logger: Logger(label: "test"))
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
        var inputs = stream.makeAsyncIterator()
        let peer = try Peer()
        var input = ByteBuffer(string: "c COMPRESS DEFLATE\r\n")
        var compressed = try peer.compress("d NOOP\r\n")
        input.writeBuffer(&compressed)
        try channel.writeInbound(input)
        let context = try channel.pipeline.syncOperations.context(handler: handler)
        handler.resume(.next, context: context)
        guard case .framer(.command(let first))? = await inputs.next() else {
            Issue.record("no COMPRESS command")
            return
        }
        #expect(first.command == .compress(algorithm: "DEFLATE"))
        handler.resume(.startCompression(ByteBuffer(string: "c OK DEFLATE active\r\n")), context: context)
        #expect(
            String(buffer: try #require(try channel.readOutbound(as: ByteBuffer.self))) == "c OK DEFLATE active\r\n")
        guard case .framer(.command(let second))? = await inputs.next() else {
            Issue.record("no command after COMPRESS")
            return
        }
        #expect(second == TaggedCommand(tag: "d", command: .noop))
        // Answers are compressed from now on.
        try await channel.writeAndFlush(ByteBuffer(string: "d OK NOOP completed\r\n")).get()
        #expect(
            try peer.inflate(try #require(try channel.readOutbound(as: ByteBuffer.self))) == "d OK NOOP completed\r\n")
        // And so is further input.
        try channel.writeInbound(try peer.compress("e LOGOUT\r\n"))
        handler.resume(.next, context: context)
        guard case .framer(.command(let third))? = await inputs.next() else {
            Issue.record("no compressed command")
            return
        }
        #expect(third == TaggedCommand(tag: "e", command: .logout))
        _ = try? channel.finish()
    }
}
