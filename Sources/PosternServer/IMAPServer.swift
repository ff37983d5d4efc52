import Defences
import Foundation
import IMAPSession
import IMAPWire
import Logging
import MailStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SASL
import ServiceLifecycle
import Telemetry

/// The IMAP listeners: implicit TLS (RFC 8314) and cleartext with STARTTLS (RFC 9051 §6.2.1).
/// One `IMAPConnectionHandler` and one session task per connection.
///
/// A `Service`: `run()` binds (unless `start()` already did), serves until graceful shutdown or
/// cancellation, then stops as `shutdown()` describes (see IMAPServer+Shutdown.swift).
public final class IMAPServer: Service, Sendable {
    public struct BoundListener: Sendable, Equatable {
        public var kind: ListenerAddress.Kind
        public var host: String
        public var port: Int
    }

    /// How long a shutdown lets sessions finish the command they are running before it closes the
    /// connections still open.
    public static let defaultShutdownGracePeriod: Duration = .seconds(10)

    let configuration: ServerConfiguration
    /// One for every listener: an address's failures count across all its connections.
    let throttle: AuthThrottle
    /// Open connections and logged-in sessions, against the configured limits.
    let limits: ConnectionLimits
    /// Listening sockets handed over by systemd, taken instead of binding (`SocketActivation`).
    let socketActivation: SocketActivation?
    let store: any MailStore
    let authenticator: Authenticator
    /// The TLS material, read once per connection (reloaded by `TLSReloader`).
    let tls: TLSContextHolder
    /// Checks OAUTHBEARER and XOAUTH2 tokens (nil: those mechanisms are not offered).
    let bearerVerifier: (any BearerTokenVerifier)?
    let group: any EventLoopGroup
    let logger: Logger
    let shutdownGracePeriod: Duration
    let onListening: (@Sendable ([BoundListener]) async throws -> Void)?
    let state = NIOLockedValueBox(State())

    /// A connection, its session's inputs (through which the session is told to stop) and what the admin
    /// API lists of it.
    struct Connection {
        var channel: any Channel
        var inputs: AsyncStream<SessionInput>.Continuation
        var session: UInt64 = 0
        var kind: ListenerAddress.Kind = .imap
        var address: String?
        var since = Date()
        var activity = SessionActivity()
    }

    struct State {
        var bound: [BoundListener]?
        var listeners: [any Channel] = []
        var connections: [ObjectIdentifier: Connection] = [:]
        var shuttingDown = false
        /// Session tasks still running, and who waits for them to end.
        var sessionTasks = 0
        var sessionWaiters: [CheckedContinuation<Void, Never>] = []
        var stop = StopRequest.none
    }

    enum StopRequest {
        case none
        case waiting(CheckedContinuation<Void, Never>)
        case requested
    }

    /// - Parameter onListening: called by `run()` once every listener is bound, before it serves on
    ///   until the end (the caller reports the bound ports, for example); if it throws, `run()` shuts
    ///   down and throws that error.
    public init(
        configuration: ServerConfiguration, store: any MailStore, authenticator: Authenticator,
        tls: TLSContextHolder, bearerVerifier: (any BearerTokenVerifier)? = nil, group: any EventLoopGroup,
        logger: Logger,
        shutdownGracePeriod: Duration = IMAPServer.defaultShutdownGracePeriod,
        socketActivation: SocketActivation? = nil,
        onListening: (@Sendable ([BoundListener]) async throws -> Void)? = nil
    ) {
        self.socketActivation = socketActivation
        self.configuration = configuration
        self.store = store
        self.authenticator = authenticator
        self.tls = tls
        self.bearerVerifier = bearerVerifier
        self.group = group
        self.logger = logger
        self.shutdownGracePeriod = shutdownGracePeriod
        self.onListening = onListening
        self.throttle = AuthThrottle(policy: configuration.throttlePolicy)
        self.limits = ConnectionLimits(policy: configuration.connectionPolicy)
    }

    /// Binds every configured listener (once: later calls return the same listeners); on failure
    /// closes those already bound and explains the error.
    public func start() async throws -> [BoundListener] {
        if let bound = state.withLockedValue({ $0.bound }) { return bound }
        var bound: [BoundListener] = []
        do {
            for address in configuration.listeners {
                let channel = try await bind(address)
                state.withLockedValue { $0.listeners.append(channel) }
                let port = channel.localAddress?.port ?? address.port
                bound.append(BoundListener(kind: address.kind, host: address.host, port: port))
                logger.info(
                    "listening", metadata: ["kind": "\(address.kind.rawValue)", "address": "\(address.host):\(port)"])
            }
        } catch {
            await shutdown()
            throw error
        }
        state.withLockedValue { $0.bound = bound }
        return bound
    }

    private func bind(_ address: ListenerAddress) async throws -> any Channel {
        let proxied = configuration.proxy.expects(address)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // One socket read per read cycle: the TLS layer decrypts what a cycle read into one
            // buffer that each connection keeps, so several reads of a large APPEND would leave every
            // such connection holding several times the read size.
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(
                    minimum: 64, initial: 2048, maximum: ConnectionBuffers.maximumReadSize)
            )
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if proxied {
                        try self.awaitProxyHeader(channel, kind: address.kind)
                    } else {
                        try self.initializeConnection(
                            channel, kind: address.kind,
                            client: channel.remoteAddress?.ipAddress.flatMap(ClientAddress.init),
                            peer: "\(channel.remoteAddress?.description ?? "?")")
                    }
                }
            }
        if let descriptor = socketActivation?.take(kind: address.kind.rawValue, host: address.host, port: address.port)
        {
            do {
                return try await bootstrap.withBoundSocket(descriptor).get()
            } catch {
                throw ServerError.bind("cannot listen on the socket handed over for \(address.kind.rawValue): \(error)")
            }
        }
        do {
            return try await bootstrap.bind(host: address.host, port: address.port).get()
        } catch {
            throw ServerError.bind(Self.explainBindError(error, address: address))
        }
    }

    static func explainBindError(_ error: any Error, address: ListenerAddress) -> String {
        let what = "cannot listen for \(address.kind.rawValue.uppercased()) on \(address)"
        let flag = "--\(address.kind.rawValue)"
        let example =
            switch address.kind {
            case .imaps: "127.0.0.1:9993"
            case .imap: "127.0.0.1:9143"
            case .lmtp: "127.0.0.1:2424"
            case .managesieve: "127.0.0.1:4190"
            case .managesieveTLS: "127.0.0.1:5190"
            case .admin: "127.0.0.1:9100"
            }
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE:
                return "\(what): the address is already in use (is another mail server running?). "
                    + "Choose another address with \(flag) \(example), or \(flag) off."
            case EACCES:
                return "\(what): permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE). "
                    + "Use a high port, e.g. \(flag) \(example), or \(flag) off."
            case EADDRNOTAVAIL:
                return "\(what): this machine has no such address. Use e.g. \(flag) \(example)."
            default:
                return "\(what): \(io)"
            }
        }
        return "\(what): \(error)"
    }

    /// A connection to a PROXY listener (`ProxySettings`): only from a trusted balancer, and set up once
    /// its header named the client.
    private func awaitProxyHeader(_ channel: any Channel, kind: ListenerAddress.Kind) throws {
        let balancer = channel.remoteAddress?.ipAddress.flatMap(ClientAddress.init)
        let through = channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        guard configuration.proxy.trusts(balancer) else {
            logger.notice(
                "connection refused",
                metadata: ["address": "\(balancer?.description ?? "-")", "reason": "not a trusted PROXY sender"])
            channel.close(promise: nil)
            return
        }
        var logger = self.logger
        logger[metadataKey: "peer"] = "\(through)"
        let handler = ProxyHeaderHandler(timeout: ProxySettings.headerTimeout, logger: logger) { [self] source in
            guard let client = source.address else {
                // LOCAL (the balancer's health check) or no IP address: the balancer is the client.
                try initializeConnection(channel, kind: kind, client: balancer, peer: through)
                return
            }
            let port = source.port.map { ":\($0)" } ?? ""
            try initializeConnection(channel, kind: kind, client: client, peer: "\(client)\(port) via \(through)")
        }
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    /// Sets up a connection whose client is `client` (`peer` names it in the logs).
    private func initializeConnection(
        _ channel: any Channel, kind: ListenerAddress.Kind, client clientAddress: ClientAddress?, peer: String
    ) throws {
        let (events, continuation) = AsyncStream.makeStream(of: SessionInput.self)
        let id = ObjectIdentifier(channel)
        let session = SessionIDs.next()
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.shuttingDown else { return false }
            state.connections[id] = Connection(
                channel: channel, inputs: continuation, session: session, kind: kind,
                address: clientAddress?.description)
            state.sessionTasks += 1
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        // Over a limit the session still runs, only to say `* BYE` (over TLS on the IMAPS port).
        let refusal = limits.acquire(address: clientAddress)
        let listener: Telemetry.Listener = kind == .imaps ? .imaps : .imap
        Telemetry.connection(listener, refusal == nil ? .accepted : .refused)
        channel.closeFuture.whenComplete { [state, limits] _ in
            _ = state.withLockedValue { $0.connections.removeValue(forKey: id) }
            if refusal == nil {
                limits.release(address: clientAddress)
                Telemetry.connection(listener, .closed)
            }
        }
        var logger = self.logger
        logger[metadataKey: "session"] = "\(session)"
        logger[metadataKey: "peer"] = "\(peer)"
        if let refusal {
            logger.notice(
                "connection refused",
                metadata: ["address": "\(clientAddress?.description ?? "-")", "reason": "\(refusal)"])
        }
        let peer = TLSPeerBox()
        let handshake = kind == .imaps ? channel.eventLoop.makePromise(of: Void.self) : nil
        let connection: ChannelSessionConnection
        do {
            connection = try addHandlers(
                channel, kind: kind, events: continuation, peer: peer, handshake: handshake, logger: logger)
        } catch {
            handshake?.succeed(())
            sessionEnded()
            throw error
        }
        var sessionConfiguration = SessionConfiguration(
            store: store, authenticator: authenticator, hostName: configuration.hostName,
            tlsActive: kind == .imaps, startTLSAvailable: kind == .imap, maxMessageSize: configuration.maxMessageSize,
            authenticatedIdleTimeout: configuration.authenticatedIdleTimeout,
            preAuthIdleTimeout: configuration.preAuthIdleTimeout,
            idleKeepaliveInterval: .seconds(configuration.idleKeepalive), throttle: throttle,
            clientAddress: clientAddress, tlsPeer: { peer.current }, connectionLimits: limits,
            refusal: refusal?.description, bearerVerifier: bearerVerifier, logger: logger)
        sessionConfiguration.quotaAdmins = configuration.quotaAdmins
        sessionConfiguration.onActivity = { [state] activity in
            state.withLockedValue { $0.connections[id]?.activity = activity }
        }
        Task(executorPreference: EventLoopTaskExecutor(channel.eventLoop)) {
            // IMAPS: the greeting waits for the handshake (see `IMAPConnectionHandler.handshakeDone`).
            try? await handshake?.futureResult.get()
            let session = IMAPSession(configuration: sessionConfiguration, connection: connection)
            await session.run(inputs: events, wakeups: continuation)
            self.sessionEnded()
        }
    }

    private func addHandlers(
        _ channel: any Channel, kind: ListenerAddress.Kind, events: AsyncStream<SessionInput>.Continuation,
        peer: TLSPeerBox, handshake: EventLoopPromise<Void>?, logger: Logger
    ) throws -> ChannelSessionConnection {
        let sync = channel.pipeline.syncOperations
        let tls = self.tls
        let startTLS = { CertificateSelector.startHandlers(material: tls.current, peer: peer, logger: logger) }
        if kind == .imaps {
            try sync.addHandlers(startTLS())
        }
        var limits = IMAPLimits.default
        limits.maxAppendSize = configuration.maxMessageSize
        let handler = IMAPConnectionHandler(
            limits: limits, events: events, startTLS: kind == .imap ? startTLS : nil,
            idleTimeout: .seconds(configuration.preAuthIdleTimeout), handshakePending: kind == .imaps,
            handshakeDone: handshake, logger: logger)
        try sync.addHandler(handler)
        let context = try sync.context(handler: handler)
        return ChannelSessionConnection(
            channel: channel,
            handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
            context: NIOLoopBound(context, eventLoop: channel.eventLoop))
    }
}
