import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One logged-in IMAP client connection (RFC 9051), used by one task: commands are sent one at a
/// time and their responses read through `ResponseFramer` and `ClientResponseParser`.
public final class IMAPConnection {
    /// How long the server may stay silent while a response is awaited.
    public static let readTimeoutSeconds = 300
    public static let connectTimeoutSeconds: Int64 = 20

    public let endpoint: IMAPEndpoint
    public private(set) var capabilities: Set<String> = []
    private let channel: any Channel
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var framer: ResponseFramer
    private var pending = ByteBuffer()
    private var nextTag = 1

    /// Where literals larger than `ClientLimits.maxInlineLiteral` go (message bodies); nil refuses them.
    public var literalSink: ((Int) throws -> any LiteralSink)? {
        get { framer.makeSink }
        set { framer.makeSink = newValue }
    }

    private init(
        endpoint: IMAPEndpoint, channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, limits: ClientLimits
    ) {
        self.endpoint = endpoint
        self.channel = channel
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.framer = ResponseFramer(limits: limits)
    }

    /// Whether the server announced a capability (case-insensitive).
    public func has(_ capability: String) -> Bool { capabilities.contains(capability.uppercased()) }

    /// Connects with TLS (implicit or STARTTLS; the certificate verified against the system's trust
    /// store and `caFile`), logs in, runs `body`, logs out and closes.
    public static func withConnection<Result>(
        to endpoint: IMAPEndpoint, password: String, caFile: String?, limits: ClientLimits = .default,
        _ body: (IMAPConnection) async throws -> Result
    ) async throws -> Result {
        let tls = try makeTLSContext(caFile: caFile)
        let server = "\(endpoint.host):\(endpoint.port)"
        let sniName = isIPAddress(endpoint.host) ? nil : endpoint.host
        let wrapped: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            wrapped = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(connectTimeoutSeconds))
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if endpoint.security == .implicitTLS {
                            try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: sniName))
                        }
                        try sync.addHandler(IdleStateHandler(readTimeout: .seconds(Int64(readTimeoutSeconds))))
                        try sync.addHandler(ReadTimeoutHandler())
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw IMAPClientError.cannotConnect(server, reason: connectReason(error))
        }
        return try await wrapped.executeThenClose { inbound, outbound in
            let connection = IMAPConnection(
                endpoint: endpoint, channel: wrapped.channel, inbound: inbound, outbound: outbound, limits: limits)
            do {
                try await connection.open(tls: tls, sniName: sniName)
                try await connection.logIn(password: password)
                let result = try await body(connection)
                _ = try? await connection.command("LOGOUT")
                return result
            } catch let error as NIOSSLError {
                throw IMAPClientError.tls(server, reason: IMAPClientError.tlsReason(error))
            } catch let error as NIOSSLExtraError {
                throw IMAPClientError.tls(server, reason: IMAPClientError.tlsReason(error))
            }
        }
    }

    static func makeTLSContext(caFile: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw IMAPClientError.unsendable("--ca-file \(caFile): not a readable PEM certificate file;")
            }
            configuration.additionalTrustRoots = [.certificates(certificates)]
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The greeting, STARTTLS when asked for, and the capabilities on the protected connection.
    private func open(tls: NIOSSLContext, sniName: String?) async throws {
        let greeting = try await readResponse()
        guard case .untagged(.condition(let condition, let code, let text)) = greeting else {
            throw IMAPClientError.unexpected("no greeting")
        }
        guard condition == .ok || condition == .preauth else { throw IMAPClientError.greeting(text) }
        if case .capability(let names) = code { capabilities = Set(names.map { $0.uppercased() }) }
        if endpoint.security == .startTLS {
            if capabilities.isEmpty { try await refreshCapabilities() }
            guard has("STARTTLS") else { throw IMAPClientError.noStartTLS("\(endpoint.host):\(endpoint.port)") }
            try await command("STARTTLS")
            // RFC 9051 §6.2.1: nothing may follow the OK before the handshake (an injection otherwise).
            guard pending.readableBytes == 0 else { throw IMAPClientError.injectedAfterStartTLS }
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: tls, serverHostname: sniName), position: .first)
            }.get()
            capabilities = []
        }
        if capabilities.isEmpty || endpoint.security == .startTLS { try await refreshCapabilities() }
    }

    private func refreshCapabilities() async throws {
        try await command("CAPABILITY") { response in
            if case .capability(let names) = response { self.capabilities = Set(names.map { $0.uppercased() }) }
        }
    }

    /// AUTHENTICATE PLAIN (RFC 4616) when offered, else LOGIN (RFC 9051 §6.2.3).
    private func logIn(password: String) async throws {
        let login = endpoint.login
        do {
            if has("AUTH=PLAIN") {
                let token = Data(([0] + Array(login.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                try await command("AUTHENTICATE PLAIN", label: "AUTHENTICATE", continuation: token)
            } else {
                guard !has("LOGINDISABLED") else { throw IMAPClientError.loginDisabled }
                let user = try Self.quoted(login, what: "the login")
                let secret = try Self.quoted(password, what: "the password")
                try await command("LOGIN \(user) \(secret)", label: "LOGIN")
            }
        } catch IMAPClientError.failed(_, _, let text) {
            throw IMAPClientError.loginRefused(login: login, text: text)
        }
        // Capabilities change after login (RFC 9051 §6.2.3): ask again unless the OK carried them.
        try await refreshCapabilities()
    }

    /// quoted = DQUOTE *QUOTED-CHAR DQUOTE, with "\" and DQUOTE escaped.
    static func quoted(_ text: String, what: String) throws -> String {
        guard !text.utf8.contains(where: { $0 == 0 || $0 == 0x0D || $0 == 0x0A }) else {
            throw IMAPClientError.unsendable(what)
        }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// Sends a command and reads up to its tagged response, handing every untagged response to
    /// `untagged`. A NO or BAD throws `.failed` naming `label` (the command's name: never its
    /// arguments, which may hold a password). `continuation` answers one "+" request.
    @discardableResult
    public func command(
        _ text: String, label: String? = nil, continuation: String? = nil,
        untagged: (UntaggedResponse) throws -> Void = { _ in }
    ) async throws -> (ClientResponseCode?, String) {
        let tag = "M\(nextTag)"
        nextTag += 1
        try await send(tag + " " + text + "\r\n")
        var answered = false
        while true {
            switch try await readResponse() {
            case .continuation:
                guard let continuation, !answered else {
                    throw IMAPClientError.unexpected("a continuation request to \(label ?? Self.name(of: text))")
                }
                answered = true
                try await send(continuation + "\r\n")
            case .untagged(.condition(.bye, _, let reason)):
                // RFC 9051 §7.1.5: part of a LOGOUT's answer; anywhere else the server is ending the session.
                if (label ?? Self.name(of: text)) == "LOGOUT" { continue }
                throw IMAPClientError.bye(reason)
            case .untagged(let response):
                try untagged(response)
            case .tagged(let gotTag, let condition, let code, let responseText):
                guard gotTag == tag else { throw IMAPClientError.unexpected("tag \(gotTag) instead of \(tag)") }
                guard condition == .ok else {
                    throw IMAPClientError.failed(
                        command: label ?? Self.name(of: text), condition, text: responseText)
                }
                return (code, responseText)
            }
        }
    }

    /// The first word of a command, for messages.
    static func name(of text: String) -> String {
        String(text.split(separator: " ", maxSplits: 2).prefix(text.hasPrefix("UID ") ? 2 : 1).joined(separator: " "))
    }

    private func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// The next whole response.
    func readResponse() async throws -> ClientResponse {
        while true {
            if let framed = try framer.next(&pending) {
                if pending.readableBytes == 0 { pending.clear() }
                return try ClientResponseParser.parse(framed)
            }
            guard var chunk = try await inbound.next() else { throw IMAPClientError.closed }
            if pending.readableBytes == 0 {
                pending = chunk
            } else {
                pending.discardReadBytes()
                pending.writeBuffer(&chunk)
            }
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    static func connectReason(_ error: any Error) -> String {
        if error is ChannelError { return "connection timed out" }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let failure = error as? NIOConnectionError, let first = failure.connectionErrors.first {
            return connectReason(first.error)
        }
        if let failure = error as? NIOConnectionError, failure.dnsAAAAError != nil || failure.dnsAError != nil {
            return "host name not found"
        }
        let text = String(describing: error)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}

/// Turns a read timeout of `IdleStateHandler` into an error on the connection.
final class ReadTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(IMAPClientError.timedOut(seconds: IMAPConnection.readTimeoutSeconds))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
