import Foundation
import NIOCore
import NIOPosix
import NIOSSL

enum TLSMode: String, Sendable, CaseIterable {
    case implicit  // IMAPS: TLS from the first byte
    case starttls  // IMAP, then STARTTLS before LOGIN
    case none      // clear text (only for servers that allow it)
}

/// Where and how to connect; shared by every client.
struct Target: Sendable {
    var host: String
    var port: Int
    var tls: TLSMode
    var sslContext: NIOSSLContext
    var serverName: String?
    var userTemplate: String
    var password: String
    var firstUser: Int
    var userCount: Int

    /// Client i's user: the template with %d replaced by firstUser + i mod userCount.
    func user(_ i: Int) -> String {
        let n = firstUser + (i % max(userCount, 1))
        return userTemplate.replacingOccurrences(of: "%d", with: String(n))
    }

    static func makeSSLContext() throws -> NIOSSLContext {
        var c = TLSConfiguration.makeClientConfiguration()
        c.certificateVerification = .none  // both servers use self-signed certificates on loopback
        return try NIOSSLContext(configuration: c)
    }
}

/// One IMAP connection, driven from one task at a time.
final class IMAPConnection: @unchecked Sendable {  // used by one task at a time
    let channel: Channel
    let greeting: String
    private var tagNumber = 0

    private init(channel: Channel, greeting: String) {
        self.channel = channel
        self.greeting = greeting
    }

    /// TCP connect, TLS (implicit or STARTTLS) and the greeting. After this the connection is ready for LOGIN.
    static func connect(_ target: Target, group: EventLoopGroup) async throws -> IMAPConnection {
        let eventLoop = group.next()
        let greetingPromise = eventLoop.makePromise(of: String.self)
        let implicit = target.tls == .implicit
        let context = target.sslContext
        let serverName = target.serverName
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if implicit {
                        try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try sync.addHandler(ByteToMessageHandler(IMAPResponseFramer()))
                    try sync.addHandler(IMAPClientHandler(greeting: greetingPromise))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            greetingPromise.fail(error)
            throw error
        }
        let greeting: String
        do {
            greeting = try await greetingPromise.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        let connection = IMAPConnection(channel: channel, greeting: greeting)
        guard greeting.hasPrefix("* OK") || greeting.hasPrefix("* PREAUTH") else {
            connection.close()
            throw BenchError.refused("greeting", greeting)
        }
        if target.tls == .starttls {
            let r = try await connection.command("STARTTLS")
            guard r.status == "OK" else {
                connection.close()
                throw BenchError.refused("STARTTLS", r.text)
            }
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
            }.get()
        }
        return connection
    }

    /// Sends `TAG line` (and, for a literal, `{n}` then the bytes after the server's continuation) and waits for
    /// the tagged answer (or, with `untilContinuation`, for the continuation: IDLE).
    @discardableResult
    func command(_ line: String, literal: ByteBuffer? = nil, collect: Bool = false,
                 untilContinuation: Bool = false) async throws -> IMAPResponse {
        tagNumber += 1
        let tag = "a\(tagNumber)"
        return try await send(tag: tag, line: "\(tag) \(line)", literal: literal, collect: collect,
                              untilContinuation: untilContinuation)
    }

    /// The tag the next `command` will use minus one: the IDLE in progress, for DONE.
    var lastTag: String { "a\(tagNumber)" }

    /// Ends IDLE: sends DONE and waits for the IDLE's tagged answer.
    @discardableResult
    func done() async throws -> IMAPResponse {
        try await send(tag: lastTag, line: "DONE", literal: nil, collect: false, untilContinuation: false)
    }

    private func send(tag: String, line: String, literal: ByteBuffer?, collect: Bool,
                      untilContinuation: Bool) async throws -> IMAPResponse {
        var parts: [ByteBuffer] = []
        if let literal {
            parts.append(ByteBuffer(string: "\(line) {\(literal.readableBytes)}\r\n"))
            var body = literal
            body.writeString("\r\n")
            parts.append(body)
        } else {
            parts.append(ByteBuffer(string: "\(line)\r\n"))
        }
        let promise = channel.eventLoop.makePromise(of: IMAPResponse.self)
        let request = CommandRequest(tag: tag, parts: parts, completeOnContinuation: untilContinuation,
                                     collect: collect, promise: promise)
        channel.writeAndFlush(request, promise: nil)
        return try await promise.futureResult.get()
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// IMAP quoted string.
func quoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
