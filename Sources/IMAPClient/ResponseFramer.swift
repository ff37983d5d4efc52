import NIOCore

/// Receives the bytes of one large literal as they arrive (a message body streamed to a file).
public protocol LiteralSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// A literal of a response: in memory, or already handed to a sink.
public enum ResponseLiteral {
    case bytes([UInt8])
    case sunk(any LiteralSink, size: Int)
}

/// One whole server response: its lines without CRLF and its literals. Every line but the last ends
/// with the announcement (`{n}`) of the literal of the same index.
public struct FramedResponse {
    public var lines: [[UInt8]]
    public var literals: [ResponseLiteral]

    public init(lines: [[UInt8]], literals: [ResponseLiteral]) {
        self.lines = lines
        self.literals = literals
    }
}

/// What a server sent beyond the client's limits. The connection cannot continue after it.
public enum FramingError: Error, Equatable, CustomStringConvertible {
    case lineTooLong(limit: Int)
    case literalTooLarge(size: Int, limit: Int)
    case responseTooLarge(limit: Int)
    case tooManyLiterals(limit: Int)
    case badLiteralSize

    public var description: String {
        switch self {
        case .lineTooLong(let limit): return "the server sent a line longer than \(limit) bytes"
        case .literalTooLarge(let size, let limit):
            return "the server announced a literal of \(size) bytes, more than the limit of \(limit)"
        case .responseTooLarge(let limit): return "the server sent a response larger than \(limit) bytes"
        case .tooManyLiterals(let limit): return "the server sent a response with more than \(limit) literals"
        case .badLiteralSize: return "the server announced a literal with an unreadable size"
        }
    }
}

/// Splits the bytes a server sends into whole responses (RFC 9051 §2.2.2, §4.3), however they are
/// chunked, within `ClientLimits`: a response is lines ending in CRLF, where a line ending in
/// `{n}` is followed by n bytes of literal and then the rest of the response.
public struct ResponseFramer {
    public var limits: ClientLimits
    /// When set, a literal larger than `maxInlineLiteral` (and within `maxLiteral`) is streamed to
    /// the sink this returns for its size instead of being an error.
    public var makeSink: ((Int) throws -> any LiteralSink)?

    private enum State {
        case line
        case inline(remaining: Int)
        case sink(remaining: Int, size: Int, any LiteralSink)
    }

    private var state = State.line
    private var line: [UInt8] = []
    private var literal: [UInt8] = []
    private var lines: [[UInt8]] = []
    private var literals: [ResponseLiteral] = []
    private var size = 0

    public init(limits: ClientLimits = .default) {
        self.limits = limits
    }

    /// Consumes bytes of `buffer` until a response is complete, and returns it; nil when all of
    /// `buffer` was consumed first. After an error the stream cannot be framed any further.
    public mutating func next(_ buffer: inout ByteBuffer) throws -> FramedResponse? {
        while buffer.readableBytes > 0 {
            switch state {
            case .line:
                let view = buffer.readableBytesView
                let end = view.firstIndex(of: UInt8(ascii: "\n"))
                let chunk = view[view.startIndex..<(end ?? view.endIndex)]
                // One more byte than the limit for the CR.
                guard line.count + chunk.count <= limits.maxLineLength + 1 else {
                    throw FramingError.lineTooLong(limit: limits.maxLineLength)
                }
                line.append(contentsOf: chunk)
                buffer.moveReaderIndex(forwardBy: chunk.count + (end == nil ? 0 : 1))
                if end != nil, let response = try endOfLine() { return response }
            case .inline(let remaining):
                let take = min(remaining, buffer.readableBytes)
                literal.append(contentsOf: buffer.readableBytesView.prefix(take))
                buffer.moveReaderIndex(forwardBy: take)
                state = .inline(remaining: remaining - take)
                if take == remaining { endInlineLiteral() }
            case .sink(let remaining, let total, let sink):
                let take = min(remaining, buffer.readableBytes)
                try buffer.withUnsafeReadableBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0.prefix(take))) }
                buffer.moveReaderIndex(forwardBy: take)
                state = .sink(remaining: remaining - take, size: total, sink)
                if take == remaining {
                    literals.append(.sunk(sink, size: total))
                    state = .line
                }
            }
        }
        return nil
    }

    /// A line has ended: either a literal follows, or the response is complete.
    private mutating func endOfLine() throws -> FramedResponse? {
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard line.count <= limits.maxLineLength else { throw FramingError.lineTooLong(limit: limits.maxLineLength) }
        size += line.count
        guard size <= limits.maxResponseSize else { throw FramingError.responseTooLarge(limit: limits.maxResponseSize) }
        let announced = try Self.literalAnnouncement(line)
        lines.append(line)
        line = []
        guard let count = announced else {
            let response = FramedResponse(lines: lines, literals: literals)
            lines = []
            literals = []
            size = 0
            return response
        }
        guard literals.count < limits.maxLiteralsPerResponse else {
            throw FramingError.tooManyLiterals(limit: limits.maxLiteralsPerResponse)
        }
        guard count <= limits.maxLiteral else {
            throw FramingError.literalTooLarge(size: count, limit: limits.maxLiteral)
        }
        if count > limits.maxInlineLiteral {
            guard let makeSink else { throw FramingError.literalTooLarge(size: count, limit: limits.maxInlineLiteral) }
            let sink = try makeSink(count)
            state = .sink(remaining: count, size: count, sink)
            return nil
        }
        size += count
        guard size <= limits.maxResponseSize else { throw FramingError.responseTooLarge(limit: limits.maxResponseSize) }
        state = .inline(remaining: count)
        if count == 0 { endInlineLiteral() }
        return nil
    }

    private mutating func endInlineLiteral() {
        literals.append(.bytes(literal))
        literal = []
        state = .line
    }

    /// literal = "{" number "}" at the very end of a line (RFC 9051 §9; literal8 has a "~" before).
    /// The size of the literal announced, or nil when the line does not end in one.
    static func literalAnnouncement(_ line: [UInt8]) throws -> Int? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        guard let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        let digits = line[(open + 1)..<(line.count - 1)]
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        guard digits.count <= 18, let value = Int(String(decoding: digits, as: UTF8.self)) else {
            throw FramingError.badLiteralSize
        }
        return value
    }
}
