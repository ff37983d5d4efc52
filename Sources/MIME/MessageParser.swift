#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The parse result of one message: its MIME tree as byte ranges (RFC 2045-2049) with envelopes.
/// Keep it next to the message bytes (``MIMEMessage``) or store it (``ParsedMessage/serialized()``).
public struct ParsedMessage: Sendable, Hashable {
    /// The top-level message: header = the message header, body = the message body.
    public var root: MessagePart
    /// Size of the message in octets.
    public var size: Int

    public init(root: MessagePart, size: Int) {
        self.root = root
        self.size = size
    }
}

/// Parses messages into ``ParsedMessage``. Never fails and never traps: malformed mail gives the best
/// structure that can be read from it, and the limits in ``MIMELimits`` bound depth and part count.
public enum MessageParser {
    public static func parse(_ bytes: [UInt8]) -> ParsedMessage {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ParsedMessage {
        var parser = StructureParser(b: bytes)
        let root = parser.parsePart(0..<bytes.count, depth: 0, inDigest: false, isMessage: true)
        return ParsedMessage(root: root, size: bytes.count)
    }
}

struct StructureParser {
    let b: UnsafeBufferPointer<UInt8>
    var partCount = 0

    init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

    /// Parses the part (or message, when `isMessage`) in `range`. Recursion is bounded by
    /// ``MIMELimits/maxNestingDepth``.
    mutating func parsePart(_ range: Range<Int>, depth: Int, inDigest: Bool, isMessage: Bool) -> MessagePart {
        partCount += 1
        let h = HeaderParser.parse(b, in: range)
        var part = MessagePart(header: h.range, body: h.bodyStart..<range.upperBound)
        if inDigest {
            part.type = "message"
            part.subtype = "rfc822"
            part.parameters = []
        }
        HeaderFields.apply(h, from: b, to: &part)
        if part.isText, MIMEParameters.rawValue(of: "charset", in: part.parameters) == nil {
            // RFC 2045 §5.2: text without a charset is US-ASCII; Dovecot shows the parameter, so do we.
            part.parameters.append(MIMEParameter(name: "charset", value: Array("us-ascii".utf8)))
        }
        if isMessage { part.envelope = Envelope.build(b, h) }
        if part.isText || part.isMessage { part.lineCount = countLines(part.body) }
        if part.isMultipart {
            if depth < MIMELimits.maxNestingDepth, partCount < MIMELimits.maxParts,
                let boundary = MIMEParameters.rawValue(of: "boundary", in: part.parameters), !boundary.isEmpty
            {
                let digest = ASCII.equalsIgnoringCase(part.subtype.utf8, "digest")
                for r in splitMultipart(part.body, boundary: boundary) {
                    part.parts.append(parsePart(r, depth: depth + 1, inDigest: digest, isMessage: false))
                }
            }
            if part.parts.isEmpty {
                // RFC 9051's body-type-mpart needs at least one part; Dovecot shows an empty text/plain.
                let end = part.body.upperBound
                part.parts = [MessagePart(header: end..<end, body: end..<end)]
            }
        } else if part.isMessage {
            if depth < MIMELimits.maxNestingDepth, part.transferEncoding.isIdentity {
                part.encapsulated = parsePart(part.body, depth: depth + 1, inDigest: false, isMessage: true)
            } else {
                // An encoded message/rfc822 is not looked into (as Dovecot): an empty message stands for it.
                let end = part.body.upperBound
                var empty = MessagePart(header: end..<end, body: end..<end)
                empty.envelope = Envelope()
                part.encapsulated = empty
            }
        }
        return part
    }

    /// The body parts of a multipart body (RFC 2046 §5.1.1). A delimiter line is "--" boundary, then
    /// optional "--" (the close delimiter), then only white space; the line break before it belongs to
    /// it. Text before the first delimiter (preamble) and after the close delimiter (epilogue) is not a
    /// part; without a close delimiter the last part runs to the end of the body.
    ///
    /// Dovecot also takes a line that merely starts with the delimiter ("--boundaryX") as one; here
    /// such lines stay in the part (RFC 2046 §5.1.1 forbids them as delimiters) — a deliberate difference.
    mutating func splitMultipart(_ body: Range<Int>, boundary: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var partStart: Int? = nil
        let e = body.upperBound
        let blen = boundary.count
        var p = body.lowerBound
        while p < e {
            if b[p] == ASCII.dash, p + 2 + blen <= e, b[p + 1] == ASCII.dash, matches(boundary, at: p + 2) {
                var q = p + 2 + blen
                var close = false
                if q + 1 < e, b[q] == ASCII.dash, b[q + 1] == ASCII.dash {
                    close = true
                    q += 2
                }
                while q < e, ASCII.isWSP(b[q]) { q += 1 }
                if close || q >= e || b[q] == ASCII.cr || b[q] == ASCII.lf {
                    var breakStart = p
                    if p > body.lowerBound, b[p - 1] == ASCII.lf {
                        breakStart = p - 1
                        if p - 1 > body.lowerBound, b[p - 2] == ASCII.cr { breakStart = p - 2 }
                    }
                    if let s = partStart { ranges.append(s..<max(s, breakStart)) }
                    if close { return ranges }
                    let next = nextLineStart(q, e)
                    if partCount + ranges.count + 1 >= MIMELimits.maxParts {
                        ranges.append(next..<e)
                        return ranges
                    }
                    partStart = next
                    p = next
                    continue
                }
            }
            p = nextLineStart(p, e)
        }
        if let s = partStart { ranges.append(s..<e) }
        return ranges
    }

    func matches(_ boundary: [UInt8], at i: Int) -> Bool {
        boundary.withUnsafeBufferPointer { bb in memcmp(b.baseAddress! + i, bb.baseAddress!, bb.count) == 0 }
    }

    /// The index after the next line feed at or after `i`, or `end`.
    func nextLineStart(_ i: Int, _ end: Int) -> Int {
        guard i < end, let base = b.baseAddress else { return end }
        guard let hit = memchr(base + i, Int32(ASCII.lf), end - i) else { return end }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
    }

    func countLines(_ r: Range<Int>) -> Int {
        var n = 0
        var i = r.lowerBound
        while i < r.upperBound {
            i = nextLineStart(i, r.upperBound)
            if i <= r.upperBound, b[i - 1] == ASCII.lf { n += 1 }
        }
        return n
    }
}

/// Reads the MIME header fields of RFC 2045 §5-8, RFC 2183, RFC 3282 and RFC 2557 into a part.
/// The first occurrence of each field counts, except for Content-Transfer-Encoding (see
/// ``MessagePart/transferEncoding``).
enum HeaderFields {
    static func apply(_ h: HeaderBlock, from b: UnsafeBufferPointer<UInt8>, to part: inout MessagePart) {
        var seen: Set<String> = []
        for f in h.fields {
            guard f.name.count >= 10, f.name.count <= 25, b[f.name.lowerBound] | 0x20 == UInt8(ascii: "c") else {
                continue
            }
            let name = ASCII.lowercased(b[f.name])
            guard name.hasPrefix("content-") else { continue }
            if name == "content-transfer-encoding" {
                transferEncoding(HeaderField.unfold(b, f.value), to: &part)
                continue
            }
            guard !seen.contains(name) else { continue }
            seen.insert(name)
            let value = HeaderField.unfold(b, f.value)
            switch name {
            case "content-type":
                // RFC 2045 §5.1: comments may stand between type, "/" and subtype.
                let t = HeaderTokenizer.tokenize(value, mode: .mime)
                let words = t.indices.filter { t[$0].kind != .comment }
                guard let first = words.first, t[first].kind == .atom else { continue }
                part.type = String(decoding: t[first].bytes, as: UTF8.self)
                var rest = first + 1
                if words.count >= 3, t[words[1]].isSpecial(UInt8(ascii: "/")), t[words[2]].kind == .atom {
                    part.subtype = String(decoding: t[words[2]].bytes, as: UTF8.self)
                    rest = words[2] + 1
                } else {
                    part.subtype = ""
                }
                part.parameters = MIMEParameters.parse(t[rest...])
                part.hasContentType = true
            case "content-id": part.id = value
            case "content-description": part.description = value
            case "content-md5": part.md5 = value
            case "content-disposition":
                let t = HeaderTokenizer.tokenize(value, mode: .mime)
                guard let first = t.first, first.kind == .atom else { continue }
                part.disposition = ContentDisposition(type: first.bytes, parameters: MIMEParameters.parse(t[1...]))
            case "content-language":
                let tags = HeaderTokenizer.tokenize(value, mode: .mime).filter { $0.kind == .atom }.map(\.bytes)
                if !tags.isEmpty { part.language = tags }
            case "content-location":
                let url = value.filter { !ASCII.isWSP($0) }
                if !url.isEmpty { part.location = url }
            default: continue
            }
        }
    }

    /// Every Content-Transfer-Encoding field in turn: the last decides the decoding, the first that is a lone
    /// token (comments aside) is what BODYSTRUCTURE shows.
    static func transferEncoding(_ value: [UInt8], to part: inout MessagePart) {
        part.transferEncoding = TransferEncoding(fieldValue: value)
        guard part.encoding == nil else { return }
        let words = HeaderTokenizer.tokenize(value, mode: .mime).filter { $0.kind != .comment }
        if words.count == 1, words[0].kind == .atom, !words[0].bytes.isEmpty { part.encoding = words[0].bytes }
    }
}
