import Foundation
import IMAPSession
import IMAPWire
import Logging
import MailStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// The IMAP listeners: implicit TLS (RFC 8314) and cleartext with STARTTLS (RFC 9051 §6.2.1).
/// One `IMAPConnectionHandler` and one session task per connection.
public final class IMAPServer: Sendable {
    public struct BoundListener: Sendable {
        public var kind: ListenerAddress.Kind
        public var host: String
        public var port: Int
    }

    private let configuration: ServerConfiguration
    private let store: any MailStore
    private let authenticator: Authenticator
    private let tlsContext: NIOSSLContext
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var listeners: [any Channel] = []
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    public init(
        configuration: ServerConfiguration, store: any MailStore, authenticator: Authenticator,
        tlsContext: NIOSSLContext, group: any EventLoopGroup, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.authenticator = authenticator
        self.tlsContext = tlsContext
        self.group = group
        self.logger = logger
    }

    /// Binds every configured listener; on failure closes those already bound and explains the error.
    public func start() async throws -> [BoundListener] {
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
        return bound
    }

    /// Stops accepting, says BYE to every connection and closes it.
    public func shutdown() async {
        let (listeners, connections) = state.withLockedValue { state -> ([any Channel], [any Channel]) in
            state.shuttingDown = true
            return (state.listeners, Array(state.connections.values))
        }
        for listener in listeners { try? await listener.close() }
        for connection in connections {
            var bye = connection.allocator.buffer(capacity: 40)
            bye.writeString("* BYE Server shutting down\r\n")
            connection.writeAndFlush(bye).whenComplete { _ in connection.close(promise: nil) }
        }
        for connection in connections { try? await connection.closeFuture.get() }
    }

    private func bind(_ address: ListenerAddress) async throws -> any Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // One socket read per read cycle: the TLS layer decrypts what a cycle read into one
            // buffer that each connection keeps, so several reads of a large APPEND would leave every
            // such connection holding several times the read size.
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.initializeConnection(channel, kind: address.kind)
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
        let example = address.kind == .imaps ? "127.0.0.1:9993" : "127.0.0.1:9143"
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

    private func initializeConnection(_ channel: any Channel, kind: ListenerAddress.Kind) throws {
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.shuttingDown else { return false }
            state.connections[ObjectIdentifier(channel)] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [state] _ in
            _ = state.withLockedValue { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        var logger = self.logger
        logger[metadataKey: "peer"] = "\(channel.remoteAddress?.description ?? "?")"
        let sync = channel.pipeline.syncOperations
        if kind == .imaps {
            try sync.addHandler(NIOSSLServerHandler(context: tlsContext))
        }
        var limits = IMAPLimits.default
        limits.maxAppendSize = configuration.maxMessageSize
        let (events, continuation) = AsyncStream.makeStream(of: SessionInput.self)
        let handler = IMAPConnectionHandler(
            limits: limits, events: continuation, tlsContext: kind == .imap ? tlsContext : nil,
            idleTimeout: .seconds(configuration.preAuthIdleTimeout), logger: logger)
        try sync.addHandler(handler)
        let context = try sync.context(handler: handler)
        let connection = ChannelSessionConnection(
            channel: channel,
            handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
            context: NIOLoopBound(context, eventLoop: channel.eventLoop))
        let sessionConfiguration = SessionConfiguration(
            store: store, authenticator: authenticator, hostName: configuration.hostName,
            tlsActive: kind == .imaps, startTLSAvailable: kind == .imap, maxMessageSize: configuration.maxMessageSize,
            authenticatedIdleTimeout: configuration.authenticatedIdleTimeout,
            preAuthIdleTimeout: configuration.preAuthIdleTimeout,
            idleKeepaliveInterval: .seconds(configuration.idleKeepalive), logger: logger)
        Task(executorPreference: EventLoopTaskExecutor(channel.eventLoop)) {
            let session = IMAPSession(configuration: sessionConfiguration, connection: connection)
            await session.run(inputs: events, wakeups: continuation)
        }
    }
}
