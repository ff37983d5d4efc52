import CompressNIO
import NIOCore

/// The client's half of COMPRESS=DEFLATE (RFC 4978 §4): inflates what the client sends after the
/// tagged OK.
///
/// Bounded (`DeflateSettings.maxInflatedBytesPerRead`): each read of the connection inflates at most
/// one chunk. Compressed input that would inflate to more stays here, and the next chunk is inflated
/// only when the handler behind asks for more input (`read`), instead of the socket being read: a
/// small input that inflates to gigabytes is consumed as slowly as the session takes it.
/// Input that is not a deflate stream, or that ends the stream (the client may not), closes the
/// connection.
final class InflateHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let decompressor: ZlibDecompressor
    /// Compressed input not inflated yet.
    private var backlog = ByteBuffer()
    private var failed = false

    init() throws {
        decompressor = try ZlibDecompressor(algorithm: .deflate, windowSize: DeflateSettings.decompressorWindowBits)
    }

    /// Compressed bytes still waiting to be inflated (for tests).
    var backlogBytes: Int { backlog.readableBytes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        if backlog.readableBytes == 0 {
            backlog = input
        } else {
            backlog.writeBuffer(&input)
        }
        inflateChunk(context: context)
    }

    /// The handler behind wants more input: the backlog first, then the socket.
    func read(context: ChannelHandlerContext) {
        guard backlog.readableBytes > 0, !failed else {
            context.read()
            return
        }
        inflateChunk(context: context)
        context.fireChannelReadComplete()
        // As the channel does after a read when reading automatically: ask again, through the handlers
        // behind, which hold back while they buffer enough. In a later turn, so that a long backlog is
        // worked off in turns of the event loop rather than in one deep call.
        let channel = context.channel
        context.eventLoop.execute { channel.read() }
    }

    /// Inflates at most one chunk of the backlog and passes it on.
    private func inflateChunk(context: ChannelHandlerContext) {
        guard backlog.readableBytes > 0 else { return }
        var output = context.channel.allocator.buffer(capacity: DeflateSettings.maxInflatedBytesPerRead)
        var outputFull = false
        do {
            try decompressor.inflate(from: &backlog, to: &output)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            outputFull = true
        } catch let error as CompressNIOError where error == .inputBufferOverflow {
            // The input ends inside a deflate block: the rest comes with the next read.
        } catch {
            fail(context: context, error)
            return
        }
        if backlog.readableBytes == 0 { backlog.clear() }
        if output.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(output)) }
        if !outputFull && backlog.readableBytes > 0 {
            // Input left over with room to inflate it: the client ended the deflate stream, which
            // RFC 4978 does not allow while the connection lasts.
            fail(context: context, CompressNIOError.corruptData)
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        failed = true
        backlog = ByteBuffer()
        context.fireErrorCaught(error)
    }
}
