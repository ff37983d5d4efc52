import Defences
import Logging
import NIOCore

/// The first handler on a connection to a PROXY listener (`ProxySettings`): it collects the bytes of
/// the PROXY protocol v2 header (`ProxyHeader`), hands what it says about the client to `onHeader`
/// (which adds the connection's real handlers after this one), passes on the bytes that followed the
/// header and removes itself. A connection whose header is invalid, or not whole within `timeout`, is
/// closed.
final class ProxyHeaderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var done = false
    private let timeout: TimeAmount
    private let logger: Logger
    private let onHeader: (ProxyHeader.Source) throws -> Void

    init(timeout: TimeAmount, logger: Logger, onHeader: @escaping (ProxyHeader.Source) throws -> Void) {
        self.timeout = timeout
        self.logger = logger
        self.onHeader = onHeader
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let logger = self.logger
        timer = context.eventLoop.scheduleTask(in: timeout) {
            logger.notice("connection closed", metadata: ["reason": "no PROXY header in time"])
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var incoming = unwrapInboundIn(data)
        if received == nil {
            received = incoming
        } else {
            received?.writeBuffer(&incoming)
        }
        guard var buffer = received else { return }
        switch ProxyHeader.parse(buffer.readableBytesView) {
        case .needMore:
            return
        case .invalid(let reason):
            done = true
            logger.notice("connection closed", metadata: ["reason": "\(reason)"])
            context.close(promise: nil)
        case .header(let source, let length):
            done = true
            timer?.cancel()
            buffer.moveReaderIndex(forwardBy: length)
            received = nil
            do {
                try onHeader(source)
            } catch {
                context.close(promise: nil)
                return
            }
            if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
