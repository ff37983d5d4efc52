import NIOCore
import NIOPosix
import NIOSSL

/// A minimal IMAPS client for tests: TLS without certificate checks, whole lines in, raw text out.
final class TestIMAPClient {
    let channel: any Channel
    private var chunks: AsyncStream<ByteBuffer>.AsyncIterator
    private var pending = ByteBuffer()

    /// Hands what the server sends to an `AsyncStream`, finished when the connection closes.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let chunks: AsyncStream<ByteBuffer>.Continuation

        init(_ chunks: AsyncStream<ByteBuffer>.Continuation) { self.chunks = chunks }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            chunks.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            chunks.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    init(port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let context = try NIOSSLContext(configuration: tls)
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try sync.addHandler(Collector(continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        chunks = stream.makeAsyncIterator()
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// The next line without its CRLF, or nil once the server has closed the connection.
    func readLine() async -> String? {
        while true {
            let view = pending.readableBytesView
            if let newline = view.firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - view.startIndex + 1
                let line = pending.readString(length: length) ?? ""
                return String(line.dropLast(line.hasSuffix("\r\n") ? 2 : 1))
            }
            guard var chunk = await chunks.next() else { return nil }
            pending.writeBuffer(&chunk)
        }
    }

    /// Lines up to and including the one starting with `tag` (or up to the end of the connection).
    func readResponse(tag: String) async -> [String] {
        var lines: [String] = []
        while let line = await readLine() {
            lines.append(line)
            if line.hasPrefix(tag + " ") { break }
        }
        return lines
    }

    /// Everything the server still sends until it closes the connection.
    func readUntilClosed() async -> [String] {
        var lines: [String] = []
        while let line = await readLine() { lines.append(line) }
        return lines
    }

    func close() async {
        try? await channel.close()
    }
}
