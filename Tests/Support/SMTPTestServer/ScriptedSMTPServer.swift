import NIOCore
import NIOPosix
import Synchronization

/// A loopback SMTP server for tests (the relay client's and the delivery's): accepts what it is told
/// to, records every line it receives and every message.
public final class ScriptedSMTPServer: Sendable {
    public let received = Mutex<[String]>([])
    public let messages = Mutex<[String]>([])
    /// A recipient containing "refuse" is refused with 550; `mailReply` answers MAIL.
    let mailReply: String
    let greeting: String
    private let channel: Mutex<(any Channel)?> = Mutex(nil)

    public init(greeting: String = "220 test ready", mailReply: String = "250 ok") {
        self.greeting = greeting
        self.mailReply = mailReply
    }

    public func start() async throws -> Int {
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { [self] channel in
                channel.pipeline.addHandler(ScriptedSMTPHandler(server: self))
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = bound }
        return bound.localAddress?.port ?? 0
    }

    public func stop() async throws {
        try await channel.withLock { $0 }?.close()
    }

    func answer(_ line: String, inData: inout Bool, body: inout [String]) -> String? {
        received.withLock { $0.append(line) }
        if inData {
            if line == "." {
                inData = false
                messages.withLock { $0.append(body.joined(separator: "\r\n")) }
                body = []
                return "250 2.0.0 queued"
            }
            body.append(line)
            return nil
        }
        let verb = line.prefix(4).uppercased()
        switch verb {
        case "EHLO": return "250-test.example\r\n250-8BITMIME\r\n250 SMTPUTF8"
        case "MAIL": return mailReply
        case "RCPT": return line.contains("refuse") ? "550 5.1.1 no such user" : "250 ok"
        case "DATA":
            inData = true
            return "354 go ahead"
        case "QUIT": return "221 bye"
        default: return "500 what"
        }
    }
}

private final class ScriptedSMTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let server: ScriptedSMTPServer
    var pending: [UInt8] = []
    var inData = false
    var body: [String] = []

    init(server: ScriptedSMTPServer) { self.server = server }

    func channelActive(context: ChannelHandlerContext) {
        send(server.greeting, context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += unwrapInboundIn(data).readableBytesView
        while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(pending[..<end])
            pending.removeSubrange(...end)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            if let reply = server.answer(text, inData: &inData, body: &body) {
                send(reply, context: context)
                if reply.hasPrefix("221") { context.close(promise: nil) }
            }
        }
    }

    private func send(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
    }
}
