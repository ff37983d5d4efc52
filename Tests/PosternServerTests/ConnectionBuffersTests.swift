import IMAPSession
import NIOCore
import NIOEmbedded
import Testing

@testable import PosternServer

/// What the session writes reaches the TLS layer in pieces that fit one TLS record
/// (`ConnectionBuffers`), in order and whole.
@Suite struct ConnectionBuffersTests {
    func written(_ size: Int) async throws -> [ByteBuffer] {
        let harness = try ConnectionHandlerTests.Harness()
        let context = try harness.channel.pipeline.syncOperations.context(handler: harness.handler)
        let connection = ChannelSessionConnection(
            channel: harness.channel, handler: NIOLoopBound(harness.handler, eventLoop: harness.channel.eventLoop),
            context: NIOLoopBound(context, eventLoop: harness.channel.eventLoop))
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        for i in 0..<size { buffer.writeInteger(UInt8(truncatingIfNeeded: i * 7 + i / 251)) }
        await connection.write(buffer)
        var pieces: [ByteBuffer] = []
        while let piece = try harness.channel.readOutbound(as: ByteBuffer.self) { pieces.append(piece) }
        var joined = ByteBufferAllocator().buffer(capacity: size)
        for var piece in pieces { joined.writeBuffer(&piece) }
        #expect(joined == buffer)
        return pieces
    }

    @Test(arguments: [0, 1, 100, ConnectionBuffers.writePiece, ConnectionBuffers.writePiece + 1, 300 * 1024 + 17])
    func writesFitOneRecord(size: Int) async throws {
        let pieces = try await written(size)
        #expect(pieces.allSatisfy { $0.readableBytes <= ConnectionBuffers.writePiece })
        #expect(pieces.count == max(1, (size + ConnectionBuffers.writePiece - 1) / ConnectionBuffers.writePiece))
    }

    @Test func aPieceAndItsRecordOverheadFitOneRecord() {
        // 16 KB is the TLS record limit (RFC 8446 §5.1); 29 bytes the largest overhead of the
        // ciphers offered (TLS 1.2 AES-GCM: 5 header, 8 explicit nonce, 16 tag).
        #expect(ConnectionBuffers.writePiece + 29 <= 16 * 1024)
        #expect(ConnectionBuffers.maximumReadSize <= 16 * 1024)
    }
}
