/// Splits an LMTP connection's bytes into command lines and, after `beginData()`, the message of
/// DATA: dot-stuffing removed (RFC 5321 §4.5.2), ended by the line `.` (RFC 5321 §4.1.1.4).
///
/// Bytes that arrive with a command but belong after it (PIPELINING, RFC 2920) stay buffered until
/// asked for, so nothing sent after DATA is ever read as a command, and nothing sent before `354`
/// is lost. Only CRLF ends a line: a bare LF inside a message is kept as it is, and `<LF>.<LF>` does
/// not end DATA (the "SMTP smuggling" ambiguity cannot arise).
///
///     data-line = ["." ] *OCTET CRLF        ; a leading "." is removed
///     data-end  = "." CRLF                  ; at the start of a line
public struct LMTPInput: Sendable {
    public enum Event: Sendable, Equatable {
        /// One command line, without its CRLF.
        case line([UInt8])
        /// A command line longer than the limit: it has been skipped up to its end.
        case lineTooLong
        /// Some of the message, unstuffed.
        case data([UInt8])
        /// The end of the message.
        case dataEnd
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var inData = false
    /// In DATA: the next byte starts a line.
    private var atLineStart = true
    /// Skipping the rest of a command line that was too long.
    private var discarding = false
    public let maxLineLength: Int
    /// Largest data event (the caller writes each to disk).
    public static let maxDataChunk = 64 * 1024

    public init(maxLineLength: Int) {
        self.maxLineLength = maxLineLength
    }

    /// Bytes buffered and not yet returned as events.
    public var buffered: Int { buffer.count - start }

    public var isInData: Bool { inData }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Switches to reading a message (after the `354` reply to DATA).
    public mutating func beginData() {
        inData = true
        atLineStart = true
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        inData ? nextData() : nextLine()
    }

    private mutating func nextLine() -> Event? {
        while true {
            guard let lf = buffer[start...].firstIndex(of: 10) else {
                if buffered > maxLineLength {
                    start = buffer.count
                    if !discarding {
                        discarding = true
                        return .lineTooLong
                    }
                }
                return nil
            }
            let lineStart = start
            start = lf + 1
            if discarding {
                discarding = false
                continue
            }
            var end = lf
            if end > lineStart && buffer[end - 1] == 13 { end -= 1 }
            guard lf + 1 - lineStart <= maxLineLength else { return .lineTooLong }
            return .line(Array(buffer[lineStart..<end]))
        }
    }

    private mutating func nextData() -> Event? {
        guard start < buffer.count else { return nil }
        if atLineStart && buffer[start] == UInt8(ascii: ".") {
            // ".\r\n" ends the message; "." before anything else is stuffing, removed.
            guard buffer.count - start >= 3 || !(buffer.count - start == 1 || buffer[start + 1] == 13) else {
                return nil
            }
            if buffer[start + 1] == 13 && buffer[start + 2] == 10 {
                start += 3
                inData = false
                return .dataEnd
            }
            start += 1
            atLineStart = false
            if start == buffer.count { return nil }
        }
        // Up to and including the next CRLF, or what is there, at most `maxDataChunk`. A CR is never
        // the last byte of an event: the LF that may follow it decides whether a line starts.
        let limit = min(buffer.count, start + Self.maxDataChunk)
        var i = start
        while i < limit {
            if buffer[i] == 10 && i > start && buffer[i - 1] == 13 {
                let chunk = Array(buffer[start...i])
                start = i + 1
                atLineStart = true
                return .data(chunk + takeMoreLines(limit: limit))
            }
            i += 1
        }
        var end = limit
        if buffer[end - 1] == 13 { end -= 1 }
        guard end > start else { return nil }
        let chunk = Array(buffer[start..<end])
        start = end
        atLineStart = false
        return .data(chunk)
    }

    /// Further whole lines that need no unstuffing, so that one event carries many lines.
    private mutating func takeMoreLines(limit: Int) -> [UInt8] {
        var taken: [UInt8] = []
        var lineStart = start
        var i = start
        while i < limit {
            if i == lineStart && buffer[i] == UInt8(ascii: ".") { break }
            if buffer[i] == 10 && i > lineStart && buffer[i - 1] == 13 {
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart > start {
            taken = Array(buffer[start..<lineStart])
            start = lineStart
        }
        return taken
    }
}
