/// A failure to parse a command; `message` is safe to send to the client in a BAD response.
public struct ParseError: Error, Sendable, Hashable {
    public var message: String

    public init(_ message: String) { self.message = message }
}

/// Recursive-descent parser over one complete command frame (the exact wire bytes: lines with their CRLF and
/// literal data inline). Nesting is bounded by `IMAPLimits.maxSearchDepth`.
public struct GrammarParser: Sendable {
    let bytes: [UInt8]
    var index: Int
    let limits: IMAPLimits
    var depth = 0

    public init(_ bytes: [UInt8], limits: IMAPLimits = .default) {
        self.bytes = bytes
        self.index = 0
        self.limits = limits
    }

    var isAtEnd: Bool { index >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let i = index + offset
        return i < bytes.count ? bytes[i] : nil
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard consume(byte) else { throw ParseError("expected \(what)") }
    }

    mutating func space() throws { try expect(UInt8(ascii: " "), "space") }

    /// CRLF; the frame ends here.
    mutating func endOfCommand() throws {
        guard peek() == 0x0D, peek(1) == 0x0A, index + 2 == bytes.count else {
            throw ParseError("unexpected characters at end of command")
        }
        index += 2
    }

    /// A quoted string, a literal or a (refused) literal8 starts here.
    var startsString: Bool {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"): return true
        case UInt8(ascii: "~"): return peek(1) == UInt8(ascii: "{")
        default: return false
        }
    }

    /// Consumes `keyword` case-insensitively if it is next (no delimiter check).
    mutating func consumeKeyword(_ keyword: String) -> Bool {
        var i = index
        for k in keyword.utf8 {
            guard i < bytes.count else { return false }
            let b = bytes[i]
            let upper = (b >= 0x61 && b <= 0x7A) ? b - 0x20 : b
            guard upper == k else { return false }
            i += 1
        }
        index = i
        return true
    }

    mutating func expectKeyword(_ keyword: String) throws {
        guard consumeKeyword(keyword) else { throw ParseError("expected \(keyword)") }
    }

    /// A run of letters, digits, "." and "-", upper-cased: used to dispatch on keywords.
    mutating func keywordToken() -> String {
        let start = index
        while let b = peek(), b.isKeywordChar { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self).uppercased()
    }

    // MARK: - Atoms and strings

    /// atom = 1*ATOM-CHAR
    mutating func atom() throws -> String {
        let start = index
        while let b = peek(), IMAPChar.isAtomChar(b) { index += 1 }
        guard index > start else { throw ParseError("expected atom") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// quoted = DQUOTE *QUOTED-CHAR DQUOTE
    /// QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
    mutating func quoted() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""), "quoted string")
        var out: [UInt8] = []
        while true {
            guard let b = peek() else { throw ParseError("unterminated quoted string") }
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                guard String(validating: out, as: UTF8.self) != nil else {
                    throw ParseError("quoted string is not valid UTF-8")
                }
                return out
            case UInt8(ascii: "\\"):
                guard let e = peek(), e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") else {
                    throw ParseError("invalid escape in quoted string")
                }
                index += 1
                out.append(e)
            case 0x00, 0x0A, 0x0D:
                throw ParseError("invalid character in quoted string")
            default:
                out.append(b)
            }
        }
    }

    /// literal = "{" number64 ["+"] "}" CRLF *CHAR8   (CHAR8 excludes NUL; `+` is LITERAL+, RFC 7888)
    mutating func literal() throws -> [UInt8] {
        if peek() == UInt8(ascii: "~") { throw ParseError("literal8 is not allowed here") }
        return try literalBytes(allowNUL: false)
    }

    /// The part of a literal from "{" on: a literal's data (no NUL unless `allowNUL`, as in literal8).
    mutating func literalBytes(allowNUL: Bool) throws -> [UInt8] {
        try expect(UInt8(ascii: "{"), "literal")
        var size = 0
        var digits = 0
        while let b = peek(), b.isDigit {
            size = size &* 10 &+ Int(b - 0x30)
            digits += 1
            index += 1
            guard digits <= 12 else { throw ParseError("literal too large") }
        }
        guard digits > 0 else { throw ParseError("expected literal size") }
        _ = consume(UInt8(ascii: "+"))
        try expect(UInt8(ascii: "}"), "}")
        guard consume(0x0D), consume(0x0A) else { throw ParseError("expected CRLF after literal size") }
        guard size <= bytes.count - index else { throw ParseError("truncated literal") }
        let data = Array(bytes[index..<index + size])
        index += size
        guard allowNUL || !data.contains(0) else { throw ParseError("NUL in literal") }
        return data
    }

    /// string = quoted / literal
    mutating func string() throws -> [UInt8] {
        if peek() == UInt8(ascii: "\"") { return try quoted() }
        guard startsString else { throw ParseError("expected string") }
        return try literal()
    }

    /// astring = 1*ASTRING-CHAR / string
    mutating func astring() throws -> [UInt8] {
        if startsString {
            return try string()
        }
        let start = index
        while let b = peek(), IMAPChar.isAStringChar(b) { index += 1 }
        guard index > start else { throw ParseError("expected string") }
        return Array(bytes[start..<index])
    }

    /// An astring that must be valid UTF-8 (user names, charset, header names...).
    mutating func astringUTF8() throws -> String {
        let raw = try astring()
        guard let s = String(validating: raw, as: UTF8.self) else { throw ParseError("string is not valid UTF-8") }
        return s
    }

    /// nstring = string / nil
    mutating func nstring() throws -> [UInt8]? {
        if consumeKeyword("NIL") { return nil }
        return try string()
    }

    /// mailbox = "INBOX" / astring
    mutating func mailbox() throws -> MailboxName {
        MailboxName(try astring())
    }

    /// list-mailbox = 1*list-char / string
    mutating func listMailbox() throws -> ByteString {
        if startsString {
            return ByteString(try string())
        }
        let start = index
        while let b = peek(), IMAPChar.isListChar(b) { index += 1 }
        guard index > start else { throw ParseError("expected mailbox pattern") }
        return ByteString(Array(bytes[start..<index]))
    }

    // MARK: - Numbers

    /// number64 = 1*DIGIT (fits in 63 bits)
    mutating func number64() throws -> UInt64 {
        var value: UInt64 = 0
        let start = index
        while let b = peek(), b.isDigit {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
            guard !o1, !o2, a <= UInt64(Int64.max) else { throw ParseError("number too large") }
            value = a
            index += 1
        }
        guard index > start else { throw ParseError("expected number") }
        return value
    }

    /// number = 1*DIGIT (unsigned 32-bit)
    mutating func number() throws -> UInt32 {
        let v = try number64()
        guard v <= UInt64(UInt32.max) else { throw ParseError("number too large") }
        return UInt32(v)
    }

    /// nz-number = digit-nz *DIGIT
    mutating func nzNumber() throws -> UInt32 {
        if peek() == UInt8(ascii: "0") { throw ParseError("expected non-zero number") }
        return try number()
    }

    /// Parses `( item *(SP item) )`, or `()` when `allowEmpty`.
    mutating func parenthesizedList<T>(
        allowEmpty: Bool, _ item: (inout GrammarParser) throws -> T
    ) throws -> [T] {
        try expect(UInt8(ascii: "("), "(")
        var items: [T] = []
        if consume(UInt8(ascii: ")")) {
            guard allowEmpty else { throw ParseError("empty list") }
            return items
        }
        while true {
            items.append(try item(&self))
            if consume(UInt8(ascii: ")")) { return items }
            try space()
        }
    }
}

extension UInt8 {
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isKeywordChar: Bool {
        (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || isDigit
            || self == UInt8(ascii: ".") || self == UInt8(ascii: "-")
    }
}
