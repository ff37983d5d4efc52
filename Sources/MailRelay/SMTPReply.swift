/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines.
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public var isPositive: Bool { (200..<400).contains(code) }
}

/// Collects a server's bytes into replies.
///
///     Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
///                      Reply-code [ SP textstring ] CRLF
///     Reply-code     = %x32-35 %x30-35 %x30-39
///
/// A bare LF ends a line too (lenient), every line is at most `maxLineLength` bytes and a reply at most
/// `maxLines` lines: a server that sends more is not an SMTP server (`.malformedReply`).
struct SMTPReplyReader {
    static let maxLineLength = 4096
    static let maxLines = 128

    private var line: [UInt8] = []
    private var lines: [String] = []
    private var code: Int?

    /// Feeds bytes; returns the replies they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(RelayError) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                line.append(byte)
                guard line.count <= Self.maxLineLength else { throw .malformedReply }
                continue
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let reply = try take(line) { replies.append(reply) }
            line.removeAll(keepingCapacity: true)
        }
        return replies
    }

    private mutating func take(_ line: [UInt8]) throws(RelayError) -> SMTPReply? {
        guard line.count >= 3, line[0..<3].allSatisfy({ (0x30...0x39).contains($0) }) else { throw .malformedReply }
        let value = line[0..<3].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (200...599).contains(value), code == nil || code == value else { throw .malformedReply }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { throw .malformedReply }
        code = value
        lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        guard lines.count <= Self.maxLines else { throw .malformedReply }
        guard separator == UInt8(ascii: " ") else { return nil }
        defer {
            code = nil
            lines = []
        }
        return SMTPReply(code: value, lines: lines)
    }
}
