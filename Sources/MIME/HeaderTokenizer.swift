/// A lexical token of a structured header value (RFC 5322 §3.2, RFC 2045 §5.1).
struct HeaderToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// An atom (RFC 5322 §3.2.3) or MIME token (RFC 2045 §5.1); 8-bit bytes are allowed.
        case atom
        /// A quoted-string (RFC 5322 §3.2.4), with the quotes removed and quoted-pairs undone.
        case quoted
        /// One special character.
        case special
        /// A domain-literal (RFC 5322 §3.4.1), brackets included.
        case domainLiteral
        /// A comment (RFC 5322 §3.2.2), without its outer parentheses.
        case comment
    }

    var kind: Kind
    var bytes: [UInt8]
    /// White space or a comment came before this token.
    var spaceBefore: Bool

    func isSpecial(_ c: UInt8) -> Bool { kind == .special && bytes.first == c }
}

/// Splits an unfolded structured value into tokens. Comments nest (RFC 5322 §3.2.2) and are tracked
/// with a counter, not recursion; an unterminated comment, quoted string or domain literal runs to the
/// end of the value.
enum HeaderTokenizer {
    enum Mode {
        /// RFC 5322 specials: ( ) < > [ ] : ; @ \ , . "
        case address
        /// RFC 2045 tspecials: ( ) < > @ , ; : \ " / [ ] ? =
        case mime
    }

    static func isSpecial(_ c: UInt8, _ mode: Mode) -> Bool {
        switch c {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "\\"),
            UInt8(ascii: ","), UInt8(ascii: "\""):
            return true
        case UInt8(ascii: "."): return mode == .address
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "="): return mode == .mime
        default: return c < 0x20 || c == 0x7F
        }
    }

    static func tokenize(_ v: [UInt8], mode: Mode) -> [HeaderToken] {
        var tokens: [HeaderToken] = []
        var i = 0
        var space = false
        let n = v.count
        while i < n {
            let c = v[i]
            if ASCII.isSpace(c) {
                space = true
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "("):
                var depth = 1
                var text: [UInt8] = []
                i += 1
                while i < n {
                    let d = v[i]
                    if d == ASCII.backslash, i + 1 < n {
                        text.append(v[i + 1])
                        i += 2
                        continue
                    }
                    if d == UInt8(ascii: "(") { depth += 1 }
                    if d == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            break
                        }
                    }
                    text.append(d)
                    i += 1
                }
                tokens.append(HeaderToken(kind: .comment, bytes: text, spaceBefore: space))
                space = true
            case ASCII.quote:
                var text: [UInt8] = []
                i += 1
                while i < n, v[i] != ASCII.quote {
                    if v[i] == ASCII.backslash, i + 1 < n { i += 1 }
                    text.append(v[i])
                    i += 1
                }
                i += 1
                tokens.append(HeaderToken(kind: .quoted, bytes: text, spaceBefore: space))
                space = false
            case UInt8(ascii: "[") where mode == .address:
                let start = i
                while i < n, v[i] != UInt8(ascii: "]") { i += 1 }
                i = min(i + 1, n)
                tokens.append(HeaderToken(kind: .domainLiteral, bytes: Array(v[start..<i]), spaceBefore: space))
                space = false
            default:
                if isSpecial(c, mode) {
                    tokens.append(HeaderToken(kind: .special, bytes: [c], spaceBefore: space))
                    i += 1
                } else {
                    let start = i
                    while i < n, !ASCII.isSpace(v[i]), !isSpecial(v[i], mode) { i += 1 }
                    tokens.append(HeaderToken(kind: .atom, bytes: Array(v[start..<i]), spaceBefore: space))
                }
                space = false
            }
        }
        return tokens
    }
}
