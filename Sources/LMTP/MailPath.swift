/// A mailbox of an SMTP envelope (RFC 5321 §4.1.2): what MAIL FROM and RCPT TO name.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The local part, unquoted (`"a b"@x` has local part `a b`).
    public var localPart: String
    /// The domain, or an address literal with its brackets; nil for a bare local part (`RCPT TO:<postmaster>`).
    public var domain: String?

    public init(localPart: String, domain: String?) {
        self.localPart = localPart
        self.domain = domain
    }

    /// The address as it would be written in a path: the local part quoted when it is not a dot-string.
    public var description: String {
        let local = MailPathParser.isDotString(Array(localPart.utf8)) ? localPart : MailPathParser.quote(localPart)
        guard let domain else { return local }
        return "\(local)@\(domain)"
    }
}

/// Parses the paths of MAIL FROM and RCPT TO.
///
/// RFC 5321 §4.1.2, with RFC 6531 §3.3 (UTF-8 in local parts and domains, under SMTPUTF8):
///
///     Reverse-path   = Path / "<>"
///     Forward-path   = Path
///     Path           = "<" [ A-d-l ":" ] Mailbox ">"
///     A-d-l          = At-domain *( "," At-domain )      ; source route: accepted and ignored
///     At-domain      = "@" Domain
///     Mailbox        = Local-part "@" ( Domain / address-literal )
///     Local-part     = Dot-string / Quoted-string
///     Dot-string     = Atom *("."  Atom)
///     Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
///     QcontentSMTP   = qtextSMTP / quoted-pairSMTP
///     quoted-pairSMTP = %d92 %d32-126
///     address-literal = "[" ( IPv4 / IPv6 / General ) "]"
///
/// As LMTP servers commonly do, a forward path may name a bare local part (`<postmaster>`).
public enum MailPathParser {
    public enum Failure: Error, Equatable {
        /// Not a path: the text says what is wrong.
        case syntax(String)
        /// Non-ASCII octets without SMTPUTF8 (RFC 6531 §3.4).
        case needsUTF8
    }

    /// Parses `<...>` starting at `index` of `bytes`; returns the mailbox (nil for `<>`) and the index
    /// after `>`.
    public static func parse(
        _ bytes: [UInt8], from index: Int, allowUTF8: Bool, allowNull: Bool, allowBareLocal: Bool
    ) throws(Failure) -> (address: MailAddress?, end: Int) {
        var i = index
        guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { throw .syntax("expected '<'") }
        i += 1
        if i < bytes.count, bytes[i] == UInt8(ascii: ">") {
            guard allowNull else { throw .syntax("empty path") }
            return (nil, i + 1)
        }
        // A source route: skipped (RFC 5321 §4.1.2: "MUST BE accepted, SHOULD NOT be generated").
        if i < bytes.count, bytes[i] == UInt8(ascii: "@") {
            guard let colon = bytes[i...].firstIndex(of: UInt8(ascii: ":")) else { throw .syntax("bad source route") }
            i = colon + 1
        }
        let local: String
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            (local, i) = try quotedString(bytes, from: i, allowUTF8: allowUTF8)
        } else {
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "@"), bytes[i] != UInt8(ascii: ">") { i += 1 }
            let atom = Array(bytes[start..<i])
            try checkUTF8(atom, allowUTF8: allowUTF8)
            guard isDotString(atom) else { throw .syntax("bad local part") }
            local = String(decoding: atom, as: UTF8.self)
        }
        var domain: String?
        if i < bytes.count, bytes[i] == UInt8(ascii: "@") {
            i += 1
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: ">") { i += 1 }
            let text = Array(bytes[start..<i])
            try checkUTF8(text, allowUTF8: allowUTF8)
            guard isDomain(text) else { throw .syntax("bad domain") }
            domain = String(decoding: text, as: UTF8.self)
        } else if !allowBareLocal {
            throw .syntax("expected '@'")
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw .syntax("expected '>'") }
        return (MailAddress(localPart: local, domain: domain), i + 1)
    }

    private static func quotedString(
        _ bytes: [UInt8], from start: Int, allowUTF8: Bool
    ) throws(Failure) -> (String, Int) {
        var i = start + 1
        var value: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                try checkUTF8(value, allowUTF8: allowUTF8)
                return (String(decoding: value, as: UTF8.self), i + 1)
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count, (32...126).contains(bytes[i + 1]) else {
                    throw .syntax("bad quoted pair")
                }
                value.append(bytes[i + 1])
                i += 2
                continue
            }
            guard c >= 32, c != 127 else { throw .syntax("control character in quoted string") }
            value.append(c)
            i += 1
        }
        throw .syntax("unterminated quoted string")
    }

    private static func checkUTF8(_ bytes: [UInt8], allowUTF8: Bool) throws(Failure) {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return }
        guard allowUTF8 else { throw .needsUTF8 }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .syntax("invalid UTF-8") }
    }

    /// atext of RFC 5322 §3.2.3 plus, for SMTPUTF8, any non-ASCII octet.
    static func isAtext(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case 0x80...0xFF: return true
        default: return Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(c)
        }
    }

    /// `Atom *("." Atom)`.
    static func isDotString(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for c in bytes {
            if c == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard isAtext(c) else { return false }
                previousDot = false
            }
        }
        return true
    }

    /// A domain name (letters, digits, hyphens and non-ASCII labels, dot-separated) or an address literal.
    static func isDomain(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return false }
        if bytes.first == UInt8(ascii: "[") {
            guard bytes.count > 2, bytes.last == UInt8(ascii: "]") else { return false }
            return bytes.dropFirst().dropLast().allSatisfy {
                (33...126).contains($0) && $0 != 91 && $0 != 93 && $0 != 92
            }
        }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                return false
            }
            for c in label {
                let ok =
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-") || c >= 0x80
                guard ok else { return false }
            }
        }
        return true
    }

    /// `"..."` with `\` before `"` and `\`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
