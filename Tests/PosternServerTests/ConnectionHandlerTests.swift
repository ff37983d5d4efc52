import IMAPSession
import IMAPWire
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import PosternServer

/// The connection handler on an EmbeddedChannel: one event at a time, idle timeout, STARTTLS discard.
@Suite struct ConnectionHandlerTests {
    struct Harness {
        let channel: EmbeddedChannel
        let handler: IMAPConnectionHandler
        var inputs: AsyncStream<SessionInput>.AsyncIterator

        init(idleTimeout: TimeAmount = .seconds(60)) throws {
            let (stream, continuation) = AsyncStream.makeStream(of: SessionInput.self)
            handler = IMAPConnectionHandler(
                limits: .default, events: continuation, startTLS: nil, idleTimeout: idleTimeout,
                logger: Logger(label: "test"))
            channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 993)).wait()
            inputs = stream.makeAsyncIterator()
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        func resume(_ directive: ResumeDirective) throws {
            let context = try channel.pipeline.syncOperations.context(handler: handler)
            handler.resume(directive, context: context)
        }

        mutating func nextCommand() async -> TaggedCommand? {
            guard case .framer(.command(let command))? = await inputs.next() else { return nil }
            return command
        }

        func outbound() throws -> String {
            var text = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            return text
        }
    }

    @Test func deliversOneCommandPerResume() async throws {
        var harness = try Harness()
        // The handler waits for the session's first resume (after the greeting).
        try harness.send("a NOOP\r\nb CAPABILITY\r\n")
        try harness.resume(.next)
        #expect(await harness.nextCommand() == TaggedCommand(tag: "a", command: .noop))
        try harness.resume(.next)
        #expect(await harness.nextCommand() == TaggedCommand(tag: "b", command: .capability))
    }

    @Test func idleTimeoutSaysByeAndCloses() async throws {
        let harness = try Harness(idleTimeout: .seconds(60))
        try harness.resume(.next)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(harness.channel.isActive)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(31))
        #expect(try harness.outbound().hasPrefix("* BYE"))
        #expect(!harness.channel.isActive)
    }

    @Test func activityPostponesTheTimeout() async throws {
        var harness = try Harness(idleTimeout: .seconds(60))
        try harness.resume(.next)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(50))
        try harness.send("a NOOP\r\n")
        _ = await harness.nextCommand()
        try harness.resume(.next)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(50))
        #expect(harness.channel.isActive)
        #expect(try harness.outbound().isEmpty)
    }

    @Test func bytesThatNeverCompleteALineDoNotPostponeTheTimeout() async throws {
        let harness = try Harness(idleTimeout: .seconds(60))
        try harness.resume(.next)
        for byte in ["a", " ", "N", "O", "O", "P"] {
            harness.channel.embeddedEventLoop.advanceTime(by: .seconds(9))
            try harness.send(byte)
        }
        #expect(harness.channel.isActive)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(7))
        #expect(try harness.outbound().hasPrefix("* BYE"))
        #expect(!harness.channel.isActive)
    }

    @Test func longerTimeoutAfterLogin() async throws {
        let harness = try Harness(idleTimeout: .seconds(60))
        try harness.resume(.next)
        harness.handler.setIdleTimeout(.seconds(1800))
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(harness.channel.isActive)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(1300))
        #expect(!harness.channel.isActive)
    }

    @Test func closeDirectiveCloses() async throws {
        let harness = try Harness()
        try harness.resume(.close)
        #expect(!harness.channel.isActive)
    }
}
