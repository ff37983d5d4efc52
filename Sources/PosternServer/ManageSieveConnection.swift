import Defences
import IMAPSession
import Logging
import ManageSieve
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// One ManageSieve connection: reads lines (pipelined), runs them through a `ManageSieveSession`,
/// writes the answers once the input read so far is used up, and starts TLS (STARTTLS, RFC 5804 §2.2;
/// or at once on the implicit-TLS port).
///
/// STARTTLS: the OK goes out in clear and the TLS handlers go first in the pipeline in the same
/// event-loop turn; every byte that arrived before the handshake completed is dropped (none of it is
/// ever executed: the CVE-2011-0411 class), and the capabilities follow once it has.
struct ManageSieveConnection {
    static let shuttingDown = ManageSieveResponse.final(.bye, code: .tryLater, text: "Server shutting down")

    let channel: NIOAsyncChannel<ManageSieveInbound, ByteBuffer>
    let services: ManageSieveServices
    let tls: TLSContextHolder
    /// The implicit-TLS port's peer record; nil on a STARTTLS listener.
    let implicitTLS: TLSPeerBox?
    let clientAddress: ClientAddress?
    let logger: Logger
    let handle: ConnectionRegistry.Handle

    init(
        channel: NIOAsyncChannel<ManageSieveInbound, ByteBuffer>, services: ManageSieveServices, tls: TLSContextHolder,
        implicitTLS: TLSPeerBox?, clientAddress: ClientAddress?, logger: Logger
    ) {
        self.channel = channel
        self.services = services
        self.tls = tls
        self.implicitTLS = implicitTLS
        self.clientAddress = clientAddress
        self.logger = logger
        self.handle = ConnectionRegistry.Handle(channel: channel.channel, farewell: Self.shuttingDown)
    }

    /// Serves the connection; `refusal` (a limit) is said with BYE, then it closes.
    func run(refusal: String?) async {
        let peer = implicitTLS ?? TLSPeerBox()
        let session = ManageSieveSession(
            services: services, tlsActive: false, startTLSAvailable: implicitTLS == nil, peer: peer,
            clientAddress: clientAddress, logger: logger)
        do {
            try await channel.executeThenClose { inbound, outbound in
                var events = inbound.makeAsyncIterator()
                if implicitTLS != nil {
                    guard try await Self.handshake(&events) else { return }
                    session.tlsStarted()
                }
                if let refusal {
                    try await outbound.write(ByteBuffer(bytes: ManageSieveResponse.final(.bye, text: refusal)))
                    return
                }
                try await outbound.write(ByteBuffer(bytes: session.greeting()))
                while let event = try await events.next() {
                    guard case .bytes(let buffer) = event else { continue }
                    session.input.append(buffer.readableBytesView)
                    _ = handle.setIdle(false)
                    let outcome = await session.process()
                    if !session.output.isEmpty {
                        try await outbound.write(ByteBuffer(bytes: session.output))
                        session.output.removeAll(keepingCapacity: true)
                    }
                    switch outcome {
                    case .close: return
                    case .startTLS:
                        try await startTLS(peer: peer)
                        guard try await Self.handshake(&events) else { return }
                        session.tlsStarted()
                        try await outbound.write(ByteBuffer(bytes: session.capabilities() + session.ok()))
                    case .next: break
                    }
                    if handle.setIdle(true) {
                        try await outbound.write(ByteBuffer(bytes: Self.shuttingDown))
                        return
                    }
                }
            }
        } catch {
            logger.debug("managesieve connection ended", metadata: ["error": "\(error)"])
        }
        session.end()
    }

    /// Waits for the TLS handshake to complete, dropping whatever arrives before (cleartext sent after
    /// STARTTLS). False when the connection ended first.
    private static func handshake(
        _ events: inout NIOAsyncChannelInboundStream<ManageSieveInbound>.AsyncIterator
    ) async throws -> Bool {
        while let event = try await events.next() {
            if case .tlsReady = event { return true }
        }
        return false
    }

    /// In one event-loop turn: the OK in clear, then the TLS handlers first in the pipeline.
    private func startTLS(peer: TLSPeerBox) async throws {
        let channel = self.channel.channel
        let material = tls.current
        let logger = self.logger
        try await channel.eventLoop.submit {
            channel.writeAndFlush(
                channel.allocator.buffer(bytes: ManageSieveResponse.final(.ok, text: "Begin TLS negotiation now")),
                promise: nil)
            try channel.pipeline.syncOperations.addHandlers(
                CertificateSelector.startHandlers(material: material, peer: peer, logger: logger), position: .first)
        }.get()
    }
}
