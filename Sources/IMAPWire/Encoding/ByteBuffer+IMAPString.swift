import NIOCore

/// Character classes of RFC 9051 §9 (formal syntax).
enum IMAPChar {
    /// CTL = %x00-1F / %x7F
    static func isCTL(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7F }

    /// ATOM-CHAR = <any CHAR except atom-specials>
    /// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
    static func isAtomChar(_ b: UInt8) -> Bool {
        guard b < 0x80, !isCTL(b) else { return false }
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: " "),
            UInt8(ascii: "%"), UInt8(ascii: "*"), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            return false
        default:
            return true
        }
    }

    /// ASTRING-CHAR = ATOM-CHAR / resp-specials
    static func isAStringChar(_ b: UInt8) -> Bool { isAtomChar(b) || b == UInt8(ascii: "]") }

    /// tag = 1*<any ASTRING-CHAR except "+">
    static func isTagChar(_ b: UInt8) -> Bool { isAStringChar(b) && b != UInt8(ascii: "+") }

    /// list-char = ATOM-CHAR / list-wildcards / resp-specials
    static func isListChar(_ b: UInt8) -> Bool {
        isAStringChar(b) || b == UInt8(ascii: "%") || b == UInt8(ascii: "*")
    }

    /// Bytes the encoder puts in a quoted string: 7-bit TEXT-CHAR (no NUL, CR, LF).
    static func isQuotable(_ b: UInt8) -> Bool { b != 0 && b < 0x80 && b != 0x0A && b != 0x0D }
}

// MARK: - Encoding

extension ByteBuffer {
    /// astring: an atom if the bytes form one, else a quoted string if every byte can be quoted, else a literal.
    @discardableResult
    public mutating func writeIMAPAtomOrString(_ bytes: [UInt8]) -> Int {
        if !bytes.isEmpty, bytes.allSatisfy(IMAPChar.isAStringChar) {
            return writeBytes(bytes)
        }
        return writeIMAPString(bytes)
    }

    @discardableResult
    public mutating func writeIMAPAtomOrString(_ string: String) -> Int {
        writeIMAPAtomOrString(Array(string.utf8))
    }

    /// string = quoted / literal: quoted if every byte can be quoted, else a synchronizing literal `{n}\r\n...`.
    @discardableResult
    public mutating func writeIMAPString(_ bytes: [UInt8]) -> Int {
        var escapes = 0
        for b in bytes {
            guard IMAPChar.isQuotable(b) else { return writeIMAPLiteral(bytes) }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { escapes += 1 }
        }
        var n = writeInteger(UInt8(ascii: "\""))
        if escapes == 0 {
            // The usual case: the bytes as they are, in one copy.
            n += writeBytes(bytes)
        } else {
            reserveCapacity(minimumWritableBytes: bytes.count + escapes + 1)
            for b in bytes {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { n += writeInteger(UInt8(ascii: "\\")) }
                n += writeInteger(b)
            }
        }
        return n + writeInteger(UInt8(ascii: "\""))
    }

    @discardableResult
    public mutating func writeIMAPString(_ string: String) -> Int {
        writeIMAPString(Array(string.utf8))
    }

    /// literal = "{" number64 ["+"] "}" CRLF *CHAR8
    @discardableResult
    public mutating func writeIMAPLiteral(_ bytes: [UInt8], nonSynchronizing: Bool = false) -> Int {
        writeString("{\(bytes.count)\(nonSynchronizing ? "+" : "")}\r\n") + writeBytes(bytes)
    }

    /// nstring = string / nil
    @discardableResult
    public mutating func writeIMAPNString(_ bytes: [UInt8]?) -> Int {
        guard let bytes else { return writeString("NIL") }
        return writeIMAPString(bytes)
    }

    @discardableResult
    public mutating func writeIMAPNString(_ string: String?) -> Int {
        writeIMAPNString(string.map { Array($0.utf8) })
    }
}

extension ByteBuffer {
    /// A quoted string that may carry UTF-8 (RFC 9051 §4.3: quoted-specials escaped; IMAP4rev2 and
    /// UTF8=ACCEPT allow 8-bit UTF-8 in quoted strings). Falls back to a literal for NUL, CR or LF.
    @discardableResult
    public mutating func writeQuotedUTF8(_ string: String) -> Int {
        let bytes = Array(string.utf8)
        if bytes.contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D }) { return writeIMAPLiteral(bytes) }
        var n = writeInteger(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { n += writeInteger(UInt8(ascii: "\\")) }
            n += writeInteger(b)
        }
        return n + writeInteger(UInt8(ascii: "\""))
    }
}
