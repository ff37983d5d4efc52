import Defences
import Delivery
import Foundation
import LMTP
import Logging
import MailStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

/// The LMTP listeners (RFC 2033): a Unix socket (by default in the data folder, for the MTA's group)
/// and any TCP listeners (loopback, or the networks of `lmtp_allow`). One `LMTPConnection` per
/// connection; delivery through `Deliverer`.
///
/// A `Service`: `start()` binds, `run()` serves until graceful shutdown, then stops accepting, closes
/// the connections that are between transactions at once and the others once their transaction has
/// ended (at most `shutdownGracePeriod` later).
public final class LMTPServer: Service, Sendable {
    public struct Bound: Sendable, Equatable {
        /// What `serve` prints: `listening: lmtp HOST:PORT`, or `lmtp-socket: PATH` (not a `listening:`
        /// line, whose value is always `HOST:PORT`).
        public var description: String
    }

    public static let shutdownGracePeriod: Duration = .seconds(10)

    let settings: LMTPSettings
    let socketPath: String?
    let deliverer: Deliverer
    let limits: LMTPLimits
    let group: any EventLoopGroup
    let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let connections = ConnectionRegistry()

    struct State {
        var listeners: [NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>] = []
        var bound: [Bound]?
    }

    public init(
        settings: LMTPSettings, dataDirectory: URL, deliverer: Deliverer, group: any EventLoopGroup, logger: Logger
    ) {
        self.settings = settings
        var socketPath = settings.socket(dataDirectory: dataDirectory)
        if settings.socketPath == nil, let path = socketPath, UnixSocket.address(path) == nil {
            // The default place, in a data folder whose path is too long for a socket: no LMTP socket
            // rather than no server (a configured `lmtp_socket` that is too long is refused instead).
            logger.warning(
                "no LMTP socket: the data folder's path is too long for one; set lmtp_socket",
                metadata: ["path": "\(path)"])
            socketPath = nil
        }
        self.socketPath = socketPath
        self.deliverer = deliverer
        self.limits = LMTPLimits(maxMessageSize: deliverer.maxMessageSize)
        self.group = group
        self.logger = logger
    }

    /// Binds every listener (once); on failure closes those bound and explains.
    public func start() async throws -> [Bound] {
        if let bound = state.withLockedValue({ $0.bound }) { return bound }
        var bound: [Bound] = []
        do {
            if let socketPath {
                let channel = try await bindSocket(socketPath)
                state.withLockedValue { $0.listeners.append(channel) }
                bound.append(Bound(description: "lmtp-socket: \(socketPath)"))
            }
            for address in settings.listeners {
                let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
                do {
                    channel = try await bootstrap().bind(host: address.host, port: address.port) { child in
                        Self.wrap(child, limits: self.limits)
                    }
                } catch {
                    throw ServerError.bind(IMAPServer.explainBindError(error, address: address))
                }
                state.withLockedValue { $0.listeners.append(channel) }
                let port = channel.channel.localAddress?.port ?? address.port
                bound.append(
                    Bound(
                        description: "listening: lmtp \(ListenerAddress(kind: .lmtp, host: address.host, port: port))"))
            }
        } catch {
            closeListeners()
            throw error
        }
        for line in bound { logger.info("listening", metadata: ["lmtp": "\(line.description)"]) }
        state.withLockedValue { $0.bound = bound }
        return bound
    }

    private func bootstrap() -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    }

    /// The Unix socket: a leftover file of a server that is gone is replaced, a live one is not;
    /// mode 0660, in `lmtp_socket_group` when set (and then a data folder holding it lets that group
    /// through, without letting it list or read anything).
    private func bindSocket(
        _ path: String
    ) async throws -> NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never> {
        if SocketProbe.isListening(path) {
            throw ServerError.bind("cannot listen for LMTP on \(path): another server is using that socket")
        }
        let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            channel = try await bootstrap().bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { child in
                Self.wrap(child, limits: self.limits)
            }
        } catch {
            throw ServerError.bind(
                "cannot listen for LMTP on \(path): \(error) (set lmtp_socket, or --lmtp-socket off)")
        }
        do {
            try SocketProbe.setPermissions(path: path, group: settings.socketGroup)
        } catch {
            try? await channel.channel.close()
            throw error
        }
        return channel
    }

    private static func wrap(
        _ channel: any Channel, limits: LMTPLimits
    ) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandlers(
                IdleStateHandler(readTimeout: .seconds(Int64(limits.idleTimeoutSeconds))),
                LMTPIdleCloser())
            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        }
    }

    public func run() async throws {
        _ = try await start()
        let listeners = state.withLockedValue { $0.listeners }
        await ConnectionRegistry.serve(listeners, accept: { await self.accept(on: $0) }, shutdown: { self.shutdown() })
        if let socketPath { unlink(socketPath) }
    }

    private func accept(on listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) async {
        let isUnix = listener.channel.localAddress?.protocol == .unix
        await ConnectionRegistry.acceptAll(on: listener, logger: logger) { connection in
            await self.serve(connection, isUnix: isUnix)
        }
    }

    private func serve(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, isUnix: Bool) async {
        let address = channel.channel.remoteAddress?.ipAddress.flatMap(ClientAddress.init)
        let allowed = isUnix || settings.allows(address)
        let peer = isUnix ? "local" : address?.description ?? "?"
        var logger = self.logger
        logger[metadataKey: "session"] = "\(SessionIDs.next())"
        logger[metadataKey: "lmtp-peer"] = "\(peer)"
        let connection = LMTPConnection(
            channel: channel, deliverer: deliverer, limits: limits, peer: peer, allowed: allowed, logger: logger)
        guard connections.admit(channel.channel, connection.handle) else {
            try? await channel.channel.close()
            return
        }
        Telemetry.connection(.lmtp, allowed ? .accepted : .refused)
        await connection.run()
        if allowed { Telemetry.connection(.lmtp, .closed) }
        connections.remove(channel.channel)
    }

    /// Stops accepting; ends idle connections now and the rest after the grace period.
    func shutdown() {
        connections.shutDown(grace: Self.shutdownGracePeriod)
        closeListeners()
    }

    private func closeListeners() {
        let listeners = state.withLockedValue { $0.listeners }
        for listener in listeners { listener.channel.close(promise: nil) }
    }
}

/// Closes a connection that sent nothing for the read timeout, with a 421 (RFC 5321 §4.5.3.2 asks for
/// minutes, not seconds).
final class LMTPIdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            let bytes = context.channel.allocator.buffer(bytes: LMTPReply.timeout.encoded)
            let channel = context.channel
            context.writeAndFlush(NIOAny(bytes)).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
