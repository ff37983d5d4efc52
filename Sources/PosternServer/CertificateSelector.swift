import IMAPSession
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS
import TLSClientHello
import Telemetry

/// Starts TLS on a connection with the certificate its client can take (RFC 8446 §4.4.2.2, RFC 5246
/// §7.4.2): ECDSA when the ClientHello allows it, else RSA (see `ClientHelloOffer.accepts`).
///
/// BoringSSL as NIOSSL wraps it serves one certificate per context, and its certificate callback only
/// tells the SNI name. So this handler stands where the TLS handler goes: it keeps the client's first
/// bytes (at most `ClientHelloLimits.maxBytes` are read, plus one socket read) until they hold the
/// whole ClientHello, then puts a `NIOSSLServerHandler` with the chosen context in its own place and
/// hands it every byte it kept. Bytes it cannot read as a ClientHello go the same way to the first
/// certificate's context, and the TLS layer answers them. A client that sends too little is closed by
/// the connection's pre-login idle timeout, as one that stalls its handshake is.
///
/// Nothing may be written before the TLS handler is in place: a write would go out in clear, so it
/// fails and closes the connection instead.
final class CertificateSelector: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let material: TLSMaterial
    private let peer: TLSPeerBox
    private let logger: Logger
    private var reader = ClientHelloReader()
    private var kept: ByteBuffer?
    private var handedOver = false

    init(material: TLSMaterial, peer: TLSPeerBox, logger: Logger) {
        self.material = material
        self.peer = peer
        self.logger = logger
    }

    /// The handlers that start TLS on a connection, first in its pipeline: this selector when there
    /// is a certificate to choose, else the TLS handler and its recorder at once (reading the
    /// ClientHello first would only cost time: about 8 % of `Benchmarks/run.sh handshake`).
    static func startHandlers(material: TLSMaterial, peer: TLSPeerBox, logger: Logger) -> [any ChannelHandler] {
        guard material.served.count == 1 else {
            return [CertificateSelector(material: material, peer: peer, logger: logger)]
        }
        let served = material.served[0]
        return [
            NIOSSLServerHandler(context: served.context),
            TLSPeerRecorder(
                peer: peer, channelBinding: served.channelBinding, identity: material.clientIdentity, logger: logger),
        ]
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !handedOver else {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        reader.feed(bytes.readableBytesView)
        if kept == nil {
            kept = bytes
        } else {
            kept!.writeBuffer(&bytes)
        }
        switch reader.status {
        case .needMore:
            return
        case .complete(let offer):
            handOver(context: context, offer: offer)
        case .invalid(let error):
            logger.debug("ClientHello not read (\(error)): the first certificate's context answers")
            handOver(context: context, offer: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard handedOver else {
            logger.warning("a write before the TLS handshake was refused")
            promise?.fail(ChannelError.ioOnClosedChannel)
            context.close(promise: nil)
            return
        }
        context.write(data, promise: promise)
    }

    private func handOver(context: ChannelHandlerContext, offer: ClientHelloOffer?) {
        handedOver = true
        let served = material.choose(for: offer)
        let tls = NIOSSLServerHandler(context: served.context)
        let recorder = TLSPeerRecorder(
            peer: peer, channelBinding: served.channelBinding, identity: material.clientIdentity, logger: logger)
        do {
            let pipeline = context.pipeline.syncOperations
            try pipeline.addHandler(recorder, position: .after(self))
            try pipeline.addHandler(tls, position: .after(self))
        } catch {
            logger.warning("could not start TLS: \(error)")
            context.close(promise: nil)
            return
        }
        if let kept {
            self.kept = nil
            context.fireChannelRead(wrapInboundOut(kept))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// The connection's `TLSPeer`, written by its `TLSPeerRecorder` on the event loop and read by its
/// session.
final class TLSPeerBox: Sendable {
    private let box = NIOLockedValueBox(TLSPeer())

    var current: TLSPeer { box.withLockedValue { $0 } }

    func set(_ peer: TLSPeer) {
        box.withLockedValue { $0 = peer }
    }
}

/// Records what the handshake established, just behind the TLS handler: the served certificate's
/// channel binding and, when client certificates are asked for, the account named by the one the
/// client presented (the TLS layer verified it against the client-CA bundle, or the handshake
/// failed). It records before the handshake's completion goes on to the connection handler, so the
/// session never sees a finished handshake without its facts; then it leaves the pipeline.
final class TLSPeerRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let peer: TLSPeerBox
    private let channelBinding: [UInt8]
    private let identity: ClientIdentityRule?
    private let logger: Logger

    init(peer: TLSPeerBox, channelBinding: [UInt8], identity: ClientIdentityRule?, logger: Logger) {
        self.peer = peer
        self.channelBinding = channelBinding
        self.identity = identity
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let tls = event as? TLSUserEvent, case .handshakeCompleted = tls else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let version = try? context.pipeline.syncOperations.nioSSL_tlsVersion()
        Telemetry.handshake(Self.label(version), .ok)
        var facts = TLSPeer(channelBinding: channelBinding)
        if let identity, let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let certificate = handler.peerCertificate
        {
            // The rule only gives names without control characters: safe to log.
            facts.clientIdentity = identity.accountName(for: certificate)
            logger.info("client certificate verified", metadata: ["identity": "\(facts.clientIdentity ?? "-")"])
        }
        peer.set(facts)
        context.fireUserInboundEventTriggered(event)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Before the handshake completes (this handler leaves the pipeline then), a TLS error is a
    /// failed handshake.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError {
            Telemetry.handshake(.unknown, .failed)
        }
        context.fireErrorCaught(error)
    }

    static func label(_ version: TLSVersion?) -> Telemetry.TLSVersionLabel {
        switch version {
        case .tlsv1?: .tls10
        case .tlsv11?: .tls11
        case .tlsv12?: .tls12
        case .tlsv13?: .tls13
        default: .unknown
        }
    }
}
