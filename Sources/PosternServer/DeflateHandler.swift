import CompressNIO
import NIOCore

/// The server's half of COMPRESS=DEFLATE (RFC 4978 §4): raw deflate of everything written after the
/// tagged OK, each write ending in a sync flush so that the client can inflate a whole response as
/// soon as it arrives (the session writes a batch of responses at a time).
///
/// The compressor is made at the first write and given up after `DeflateSettings.compressorIdleRelease`
/// without writes (see there why the stream stays valid).
final class DeflateHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var compressor: ZlibCompressor?
    private var lastWrite = NIODeadline.now()
    private var releaseCheck: Scheduled<Void>?

    /// Whether a compressor is held now (for tests).
    var holdsCompressor: Bool { compressor != nil }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var input = unwrapOutboundIn(data)
        guard input.readableBytes > 0 else {
            context.write(data, promise: promise)
            return
        }
        do {
            let compressor =
                try self.compressor
                ?? ZlibCompressor(algorithm: .deflate, configuration: DeflateSettings.compressorConfiguration)
            self.compressor = compressor
            // deflateBound plus the sync flush's empty stored block: room for all of it in one call.
            var output = context.channel.allocator.buffer(capacity: compressor.maxSize(from: input))
            try compressor.deflate(from: &input, to: &output, flush: .sync)
            guard input.readableBytes == 0 else { throw CompressNIOError.bufferOverflow }
            context.write(wrapOutboundOut(output), promise: promise)
        } catch {
            promise?.fail(error)
            context.fireErrorCaught(error)
            return
        }
        lastWrite = context.eventLoop.now
        if releaseCheck == nil { scheduleRelease(context: context, after: DeflateSettings.compressorIdleRelease) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseCheck?.cancel()
        releaseCheck = nil
        compressor = nil
    }

    private func scheduleRelease(context: ChannelHandlerContext, after delay: TimeAmount) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        releaseCheck = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            handler.releaseIfIdle(context: context)
        }
    }

    private func releaseIfIdle(context: ChannelHandlerContext) {
        releaseCheck = nil
        let idle = context.eventLoop.now - lastWrite
        if idle >= DeflateSettings.compressorIdleRelease {
            compressor = nil
        } else {
            scheduleRelease(context: context, after: DeflateSettings.compressorIdleRelease - idle)
        }
    }
}
