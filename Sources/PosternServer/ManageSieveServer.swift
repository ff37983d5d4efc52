import Defences
import Foundation
import IMAPSession
import Logging
import MailStore
import ManageSieve
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SASL
import ServiceLifecycle
import Telemetry

/// The ManageSieve listeners (RFC 5804): cleartext with STARTTLS (port 4190 by convention) and
/// implicit TLS. One `ManageSieveConnection` per connection. Logins go through the IMAP server's
/// authenticator, throttle and connection limits, so that a lockout or a limit holds across both.
///
/// A `Service`: `start()` binds, `run()` serves until graceful shutdown, then stops accepting and
/// closes every connection between commands at once (with BYE), the others once their command ends.
public final class ManageSieveServer: Service, Sendable {
    public struct Bound: Sendable, Equatable {
        public var kind: ListenerAddress.Kind
        public var host: String
        public var port: Int
    }

    let settings: ManageSieveSettings
    let services: ManageSieveServices
    let tls: TLSContextHolder
    let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())
    private let connections = ConnectionRegistry()

    struct State {
        var listeners: [NIOAsyncChannel<Accepted, Never>] = []
        var bound: [Bound]?
    }

    /// - Parameters:
    ///   - imap: the IMAP server whose authenticator, login throttle, connection limits, bearer token
    ///     verifier and TLS material ManageSieve shares.
    ///   - checker: validates scripts (PUTSCRIPT, CHECKSCRIPT) and names the Sieve extensions.
    public init(
        settings: ManageSieveSettings, imap: IMAPServer, checker: any SieveScriptChecker,
        failedLoginDelay: Duration = .milliseconds(500), group: any EventLoopGroup, logger: Logger
    ) {
        self.settings = settings
        self.tls = imap.tls
        self.group = group
        self.services = ManageSieveServices(
            store: imap.store, authenticator: imap.authenticator, throttle: imap.throttle,
            connectionLimits: imap.limits, checker: checker, limits: settings.limits,
            hostName: imap.configuration.hostName, failedLoginDelay: failedLoginDelay,
            bearerVerifier: imap.bearerVerifier, logger: logger)
    }

    var logger: Logger { services.logger }

    /// Binds every listener (once); on failure closes those bound and explains.
    public func start() async throws -> [Bound] {
        if let bound = state.withLockedValue({ $0.bound }) { return bound }
        var bound: [Bound] = []
        do {
            for address in settings.listeners {
                let channel: NIOAsyncChannel<Accepted, Never>
                do {
                    channel = try await ServerBootstrap(group: group)
                        .serverChannelOption(.backlog, value: 256)
                        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                        .bind(host: address.host, port: address.port) { child in
                            self.wrap(child, implicitTLS: address.kind == .managesieveTLS)
                        }
                } catch {
                    throw ServerError.bind(IMAPServer.explainBindError(error, address: address))
                }
                state.withLockedValue { $0.listeners.append(channel) }
                let port = channel.channel.localAddress?.port ?? address.port
                bound.append(Bound(kind: address.kind, host: address.host, port: port))
                logger.info(
                    "listening", metadata: ["kind": "\(address.kind.rawValue)", "address": "\(address.host):\(port)"])
            }
        } catch {
            closeListeners()
            throw error
        }
        state.withLockedValue { $0.bound = bound }
        return bound
    }

    private func wrap(
        _ channel: any Channel, implicitTLS: Bool
    ) -> EventLoopFuture<Accepted> {
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            let peer = implicitTLS ? TLSPeerBox() : nil
            if let peer {
                try sync.addHandlers(
                    CertificateSelector.startHandlers(material: tls.current, peer: peer, logger: logger))
            }
            try sync.addHandlers(
                IdleStateHandler(readTimeout: .seconds(Int64(settings.limits.idleTimeoutSeconds))),
                ManageSieveInboundHandler())
            return Accepted(
                channel: try NIOAsyncChannel(wrappingChannelSynchronously: channel), implicitTLS: peer)
        }
    }

    /// A connection as its listener hands it over: the channel, and on the implicit-TLS port the record
    /// of what its handshake establishes.
    struct Accepted: Sendable {
        var channel: NIOAsyncChannel<ManageSieveInbound, ByteBuffer>
        var implicitTLS: TLSPeerBox?
    }

    public func run() async throws {
        _ = try await start()
        let listeners = state.withLockedValue { $0.listeners }
        await ConnectionRegistry.serve(listeners, accept: { await self.accept(on: $0) }, shutdown: { self.shutdown() })
    }

    private func accept(on listener: NIOAsyncChannel<Accepted, Never>) async {
        await ConnectionRegistry.acceptAll(on: listener, logger: logger) { connection in
            await self.serve(connection)
        }
    }

    private func serve(_ accepted: Accepted) async {
        let channel = accepted.channel
        let address = channel.channel.remoteAddress?.ipAddress.flatMap(ClientAddress.init)
        var logger = self.logger
        logger[metadataKey: "session"] = "\(SessionIDs.next())"
        logger[metadataKey: "managesieve-peer"] = "\(address?.description ?? "?")"
        let connection = ManageSieveConnection(
            channel: channel, services: services, tls: tls, implicitTLS: accepted.implicitTLS, clientAddress: address,
            logger: logger)
        guard connections.admit(channel.channel, connection.handle) else {
            try? await channel.channel.close()
            return
        }
        let refusal = services.connectionLimits?.acquire(address: address)
        Telemetry.connection(.managesieve, refusal == nil ? .accepted : .refused)
        await connection.run(refusal: refusal?.description)
        if refusal == nil {
            services.connectionLimits?.release(address: address)
            Telemetry.connection(.managesieve, .closed)
        }
        connections.remove(channel.channel)
    }

    /// Stops accepting; ends idle connections now and the rest after the IMAP grace period.
    func shutdown() {
        connections.shutDown(grace: IMAPServer.defaultShutdownGracePeriod)
        closeListeners()
    }

    private func closeListeners() {
        let listeners = state.withLockedValue { $0.listeners }
        for listener in listeners { listener.channel.close(promise: nil) }
    }
}

/// What every ManageSieve connection shares.
struct ManageSieveServices: Sendable {
    var store: any MailStore
    var authenticator: Authenticator
    var throttle: AuthThrottle?
    var connectionLimits: ConnectionLimits?
    var checker: any SieveScriptChecker
    var limits: ManageSieveLimits
    var hostName: String
    var failedLoginDelay: Duration
    /// Checks OAUTHBEARER/XOAUTH2 tokens (nil: those mechanisms are not offered).
    var bearerVerifier: (any BearerTokenVerifier)?
    var logger: Logger
}
