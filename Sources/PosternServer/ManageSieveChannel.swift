import ManageSieve
import NIOCore
import NIOTLS

/// What a ManageSieve connection's task reads: the client's bytes, and the end of a TLS handshake
/// (after which the server speaks first: the greeting on the implicit-TLS port, the capabilities after
/// STARTTLS, RFC 5804 §2.2).
enum ManageSieveInbound: Sendable {
    case bytes(ByteBuffer)
    case tlsReady
}

/// Just before the async channel: passes the bytes on, turns a completed TLS handshake into
/// `.tlsReady`, and closes a connection that sent nothing for the idle timeout with a BYE.
final class ManageSieveInboundHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ManageSieveInbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(wrapInboundOut(.bytes(unwrapInboundIn(data))))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            let bytes = context.channel.allocator.buffer(
                bytes: ManageSieveResponse.final(.bye, code: .tryLater, text: "Idle for too long"))
            let channel = context.channel
            context.writeAndFlush(NIOAny(bytes)).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            // The async channel hands reads on at the end of a read cycle: this one makes its own.
            context.fireChannelRead(wrapInboundOut(.tlsReady))
            context.fireChannelReadComplete()
        }
        context.fireUserInboundEventTriggered(event)
    }
}
