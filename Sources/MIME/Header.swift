/// One header field of RFC 5322 §2.2, as byte ranges into the message.
public struct HeaderField: Sendable, Hashable {
    /// The field name, without surrounding white space (obsolete syntax, RFC 5322 §4.5, allows WSP
    /// before the colon).
    public var name: Range<Int>
    /// The raw value: from after the colon to the end of the field, without the final line ending.
    /// Folded continuation lines are included (unfold with ``HeaderField/unfold(_:_:)``).
    public var value: Range<Int>
    /// The whole field: name, colon, value, continuations and the final line ending.
    public var whole: Range<Int>

    public init(name: Range<Int>, value: Range<Int>, whole: Range<Int>) {
        self.name = name
        self.value = value
        self.whole = whole
    }

    /// Whether the field's name equals `lowercaseName` (ASCII case-insensitive, RFC 5322 §1.2.2).
    public func hasName(_ lowercaseName: String, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = name.lowerBound
        for c in lowercaseName.utf8 {
            guard i < name.upperBound else { return false }
            if ASCII.lower(bytes[i]) != c { return false }
            i += 1
        }
        return i == name.upperBound
    }

    /// The value unfolded per RFC 5322 §2.2.3 (each CRLF, or bare LF, before WSP removed), with leading
    /// and trailing white space trimmed.
    public static func unfold(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        for i in range {
            let b = bytes[i]
            if b == ASCII.cr || b == ASCII.lf { continue }
            out.append(b)
        }
        var start = 0
        var end = out.count
        while start < end, ASCII.isWSP(out[start]) { start += 1 }
        while end > start, ASCII.isWSP(out[end - 1]) { end -= 1 }
        if start == 0 && end == out.count { return out }
        return Array(out[start..<end])
    }
}

/// The header of a message or body part: where it is and its fields.
public struct HeaderBlock: Sendable, Hashable {
    /// The header, including the blank line that ends it when there is one (RFC 9051 §6.4.5 HEADER).
    public var range: Range<Int>
    /// Where the body starts (right after the blank line, or the end of the part when there is none).
    public var bodyStart: Int
    public var fields: [HeaderField]
}

/// Splits a header (RFC 5322 §2.1: fields up to the first empty line) into fields.
///
/// Tolerant by design: lines may end in CRLF or bare LF; a line that is neither a field nor a
/// continuation is skipped (it stays in the header bytes); 8-bit bytes are kept as they are.
public enum HeaderParser {
    public static func parse(_ b: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> HeaderBlock {
        var fields: [HeaderField] = []
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            // An empty line ends the header.
            if b[i] == ASCII.lf {
                return HeaderBlock(range: range.lowerBound..<(i + 1), bodyStart: i + 1, fields: fields)
            }
            if b[i] == ASCII.cr, i + 1 < end, b[i + 1] == ASCII.lf {
                return HeaderBlock(range: range.lowerBound..<(i + 2), bodyStart: i + 2, fields: fields)
            }
            let fieldStart = i
            var colon = -1
            // The field runs to the end of the first line not followed by WSP.
            var lineEnd = i
            while true {
                while lineEnd < end, b[lineEnd] != ASCII.lf {
                    if colon < 0, b[lineEnd] == ASCII.colon { colon = lineEnd }
                    lineEnd += 1
                }
                if lineEnd >= end { break }
                lineEnd += 1  // past LF
                if lineEnd < end, ASCII.isWSP(b[lineEnd]) { continue }
                break
            }
            i = lineEnd
            guard colon > fieldStart, fields.count < MIMELimits.maxHeaderFields else { continue }
            var nameEnd = colon
            while nameEnd > fieldStart, ASCII.isWSP(b[nameEnd - 1]) { nameEnd -= 1 }
            guard nameEnd > fieldStart, !ASCII.isWSP(b[fieldStart]) else { continue }
            var valueEnd = lineEnd
            if valueEnd > colon + 1, b[valueEnd - 1] == ASCII.lf { valueEnd -= 1 }
            if valueEnd > colon + 1, b[valueEnd - 1] == ASCII.cr { valueEnd -= 1 }
            fields.append(
                HeaderField(name: fieldStart..<nameEnd, value: (colon + 1)..<valueEnd, whole: fieldStart..<lineEnd))
        }
        return HeaderBlock(range: range, bodyStart: end, fields: fields)
    }
}

/// Byte constants and classes used by the parsers.
enum ASCII {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let sp: UInt8 = 32
    static let tab: UInt8 = 9
    static let colon: UInt8 = 58
    static let dash: UInt8 = 45
    static let quote: UInt8 = 34
    static let backslash: UInt8 = 92

    @inline(__always) static func isWSP(_ b: UInt8) -> Bool { b == sp || b == tab }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == sp || b == tab || b == cr || b == lf }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }

    static func lowercased(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map(lower), as: UTF8.self)
    }

    static func equalsIgnoringCase(_ a: some Collection<UInt8>, _ lowercase: String) -> Bool {
        guard a.count == lowercase.utf8.count else { return false }
        return zip(a, lowercase.utf8).allSatisfy { lower($0) == $1 }
    }
}
