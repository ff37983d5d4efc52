import NIOCore
import Testing

@testable import IMAPClient

/// A sink keeping what it receives, for tests.
final class CollectingSink: LiteralSink {
    var bytes: [UInt8] = []
    func write(_ buffer: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: buffer) }
}

/// A sink that refuses more than `limit` bytes.
final class RefusingSink: LiteralSink {
    struct Full: Error {}
    let limit: Int
    var count = 0
    init(limit: Int) { self.limit = limit }
    func write(_ buffer: UnsafeRawBufferPointer) throws {
        count += buffer.count
        if count > limit { throw Full() }
    }
}

/// Frames `input` delivered in the given chunk sizes (the last chunk takes the rest).
func frame(
    _ input: [UInt8], chunks: [Int], limits: ClientLimits = .default,
    sink: ((Int) throws -> any LiteralSink)? = nil
) throws -> [FramedResponse] {
    var framer = ResponseFramer(limits: limits)
    framer.makeSink = sink
    var responses: [FramedResponse] = []
    var offset = 0
    var pieces: [ArraySlice<UInt8>] = []
    for size in chunks where offset < input.count {
        let end = min(input.count, offset + size)
        pieces.append(input[offset..<end])
        offset = end
    }
    if offset < input.count { pieces.append(input[offset...]) }
    for piece in pieces {
        var buffer = ByteBuffer(bytes: piece)
        while let response = try framer.next(&buffer) { responses.append(response) }
        #expect(buffer.readableBytes == 0)
    }
    return responses
}

/// Every split of `input` into two chunks, and into single bytes.
func everyChunking(_ input: [UInt8]) -> [[Int]] {
    var result: [[Int]] = [Array(repeating: 1, count: input.count)]
    for split in 0...input.count { result.append([split]) }
    return result
}

/// The parsed responses of a whole input in one piece.
func parseAll(_ text: String) throws -> [ClientResponse] {
    try frame(Array(text.utf8), chunks: []).map { try ClientResponseParser.parse($0) }
}

func literalBytes(_ literal: ResponseLiteral?) -> [UInt8]? {
    switch literal {
    case .bytes(let bytes): return bytes
    case .sunk(let sink as CollectingSink, _): return sink.bytes
    default: return nil
    }
}
