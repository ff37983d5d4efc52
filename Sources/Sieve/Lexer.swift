/// One lexical token of RFC 5228 §8.1 with where it starts (1-based line and column).
struct SieveToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case tag(String)
        case number(UInt64)
        /// A quoted string with its escapes undone, or a multi-line string dot-unstuffed.
        case string(String)
        /// One of `; , [ ] { } ( )`.
        case punct(UInt8)
        case end
    }
    var kind: Kind
    var line: Int
    var column: Int
}

/// The tokenizer of RFC 5228 §8.1.
///
///     identifier  = (ALPHA / "_") *(ALPHA / DIGIT / "_")
///     tag         = ":" identifier
///     number      = 1*DIGIT [ QUANTIFIER ]          ; QUANTIFIER = "K" / "M" / "G"
///     quoted-string = DQUOTE quoted-text DQUOTE     ; "\" escapes the next character
///     multi-line  = "text:" *(SP / HTAB) (hash-comment / CRLF)
///                   *(multiline-literal / multiline-dotstart) "." CRLF
///     comment     = bracket-comment / hash-comment  ; "/* ... */" and "#" to the end of the line
///
/// Bare LF is accepted wherever CRLF is (as Pigeonhole does).
struct SieveLexer {
    private let bytes: [UInt8]
    private var i = 0
    private var line = 1
    private var lineStart = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private var column: Int { i - lineStart + 1 }

    private func error(_ message: String, line: Int? = nil, column: Int? = nil) -> SieveCompileError {
        SieveCompileError(line: line ?? self.line, column: column ?? self.column, message)
    }

    private mutating func newline(at index: Int) {
        line += 1
        lineStart = index + 1
    }

    /// Skips white space and comments.
    private mutating func skipSpace() throws(SieveCompileError) {
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 || c == 0x09 || c == 0x0D {
                i += 1
            } else if c == 0x0A {
                newline(at: i)
                i += 1
            } else if c == UInt8(ascii: "#") {
                while i < bytes.count, bytes[i] != 0x0A { i += 1 }
            } else if c == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
                let (l, col) = (line, column)
                i += 2
                while true {
                    guard i < bytes.count else { throw error("unterminated comment", line: l, column: col) }
                    if bytes[i] == UInt8(ascii: "*"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                        i += 2
                        break
                    }
                    if bytes[i] == 0x0A { newline(at: i) }
                    i += 1
                }
            } else {
                return
            }
        }
    }

    mutating func next() throws(SieveCompileError) -> SieveToken {
        try skipSpace()
        let (l, col) = (line, column)
        guard i < bytes.count else { return SieveToken(kind: .end, line: l, column: col) }
        let c = bytes[i]
        func token(_ k: SieveToken.Kind) -> SieveToken { SieveToken(kind: k, line: l, column: col) }
        if Self.isIdentStart(c) {
            let name = identifier()
            if name.lowercased() == "text", i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                i += 1
                return token(.string(try multiLine(line: l, column: col)))
            }
            return token(.identifier(name))
        }
        switch c {
        case UInt8(ascii: ":"):
            i += 1
            guard i < bytes.count, Self.isIdentStart(bytes[i]) else { throw error("expected a tag name after ':'") }
            return token(.tag(identifier()))
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return token(.number(try number()))
        case UInt8(ascii: "\""):
            return token(.string(try quoted(line: l, column: col)))
        case UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: "("), UInt8(ascii: ")"):
            i += 1
            return token(.punct(c))
        default:
            let shown = c >= 0x21 && c < 0x7F ? "'\(Character(UnicodeScalar(c)))'" : "byte \(c)"
            throw error("unexpected character \(shown)")
        }
    }

    static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
    }

    static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 0x30 && c <= 0x39) }

    private mutating func identifier() -> String {
        let start = i
        while i < bytes.count, Self.isIdentChar(bytes[i]) { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func number() throws(SieveCompileError) -> UInt64 {
        let col = column
        var value: UInt64 = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] - 0x30))
            guard !o1, !o2 else { throw error("number too large", column: col) }
            value = a
            i += 1
        }
        if i < bytes.count {
            let shift: UInt64?
            switch bytes[i] {
            case UInt8(ascii: "K"), UInt8(ascii: "k"): shift = 10
            case UInt8(ascii: "M"), UInt8(ascii: "m"): shift = 20
            case UInt8(ascii: "G"), UInt8(ascii: "g"): shift = 30
            default: shift = nil
            }
            if let shift {
                i += 1
                guard value <= UInt64.max >> shift else { throw error("number too large", column: col) }
                value <<= shift
            }
        }
        if i < bytes.count, Self.isIdentChar(bytes[i]) { throw error("invalid number", column: col) }
        return value
    }

    private func checked(_ out: [UInt8], line: Int, column: Int) throws(SieveCompileError) -> String {
        guard out.count <= SieveLimits.maxStringLength else {
            throw error("string longer than \(SieveLimits.maxStringLength) bytes", line: line, column: column)
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw error("string is not valid UTF-8", line: line, column: column)
        }
        return s
    }

    private mutating func quoted(line l: Int, column col: Int) throws(SieveCompileError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error("unterminated string", line: l, column: col) }
            var c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                break
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { throw error("unterminated string", line: l, column: col) }
                c = bytes[i]
            }
            if c == 0x0A {
                // A line break inside a quoted string is CRLF, whatever the script file uses (as Pigeonhole).
                newline(at: i)
                if out.last != 0x0D { out.append(0x0D) }
            }
            out.append(c)
            i += 1
        }
        return try checked(out, line: l, column: col)
    }

    /// RFC 5228 §2.4.2: after `text:`, optional blanks and a comment or line end; then lines up to a
    /// line holding only "."; a line starting ".." loses its first dot.
    private mutating func multiLine(line l: Int, column col: Int) throws(SieveCompileError) -> String {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "#") {
            while i < bytes.count, bytes[i] != 0x0A { i += 1 }
        }
        if i < bytes.count, bytes[i] == 0x0D { i += 1 }
        guard i < bytes.count, bytes[i] == 0x0A else { throw error("expected a line end after 'text:'") }
        newline(at: i)
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error("unterminated multi-line string", line: l, column: col) }
            var end = i
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var content = bytes[i..<end]
            if content.last == 0x0D { content = content.dropLast() }
            if content.count == 1, content.first == UInt8(ascii: ".") {
                i = min(end + 1, bytes.count)
                if end < bytes.count { newline(at: end) }
                break
            }
            if content.first == UInt8(ascii: "."), content.count > 1, content[content.startIndex + 1] == 0x2E {
                content = content.dropFirst()
            }
            guard end < bytes.count else { throw error("unterminated multi-line string", line: l, column: col) }
            out += content
            out += [0x0D, 0x0A]
            newline(at: end)
            i = end + 1
        }
        return try checked(out, line: l, column: col)
    }
}
