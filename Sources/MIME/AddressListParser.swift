/// A recursive-descent reader of address lists (RFC 5322 §3.4, with the obsolete forms of §4.4) that splits and
/// fills in broken lists the way Dovecot does, because clients cache ENVELOPE and are tested against it:
///
/// - every address has a mailbox and a host: what is missing is `MISSING_MAILBOX` / `MISSING_DOMAIN`, an angle
///   address that does not parse gets the host `SYNTAX_ERROR`, a route that does not parse `INVALID_ROUTE`;
/// - a lone word followed by more words (`Big Bug bb`) is a display name without an address; a lone word is a
///   mailbox without a domain;
/// - the list ends where an address is not followed by "," (the rest of the field is not read);
/// - the last comment inside a bare addr-spec (`a@b (Name)`) is its display name;
/// - dots may start, end or repeat in a local part (`a..b.@c`).
///
/// Every reader returns 1 when input is left, 0 at its end and -1 on a syntax error, and leaves the position
/// after what it read. Nothing recurses: comments nest with a counter, so no input can exhaust the stack, and
/// every loop consumes input.
struct AddressListParser {
    let v: [UInt8]
    var p = 0
    /// The text of the last comment skipped (reset when a comment starts).
    var lastComment: [UInt8] = []
    /// The word buffer: a local part, a phrase or a domain, read in turn.
    var str: [UInt8] = []
    var addr = Pending()
    var out: [EnvelopeAddress] = []
    let limit: Int

    struct Pending {
        var name: [UInt8]?
        var route: [UInt8]?
        var mailbox: [UInt8]?
        var domain: [UInt8]?
    }

    init(_ value: [UInt8], limit: Int) {
        self.v = value
        self.limit = limit
    }

    var atEnd: Bool { p >= v.count }
    /// The byte at the position, NUL past the end (no delimiter test matches it).
    var peek: UInt8 { p < v.count ? v[p] : 0 }
    var state: Int { atEnd ? 0 : 1 }

    /// atext (RFC 5322 §3.2.3), with every 8-bit byte taken as text.
    static func isAtext(_ c: UInt8) -> Bool { atextTable[Int(c)] }

    static let atextTable: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in 0x80...0xFF { t[c] = true }
        for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8 {
            t[Int(c)] = true
        }
        return t
    }()

    // MARK: lexical readers (RFC 5322 §3.2)

    /// `*([FWS] comment) [FWS]`: white space and comments.
    mutating func skipSpace() -> Int {
        while p < v.count {
            let c = v[p]
            if c == ASCII.sp || c == ASCII.tab || c == ASCII.cr || c == ASCII.lf {
                p += 1
                continue
            }
            guard c == UInt8(ascii: "(") else { break }
            if skipComment() < 0 { return -1 }
        }
        return state
    }

    /// `comment = "(" *([FWS] ccontent) [FWS] ")"`, nested by counting; its text goes to ``lastComment``
    /// (which an unterminated comment leaves empty).
    mutating func skipComment() -> Int {
        lastComment = []
        var text: [UInt8] = []
        p += 1
        var depth = 1
        while p < v.count {
            let c = v[p]
            if c == ASCII.backslash {
                p += 1
                guard p < v.count else { return -1 }
                text.append(v[p])
            } else if c == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 {
                    p += 1
                    lastComment = text
                    return state
                }
                text.append(c)
            } else {
                if c == UInt8(ascii: "(") { depth += 1 }
                if c != ASCII.cr && c != ASCII.lf { text.append(c) }
            }
            p += 1
        }
        return -1
    }

    /// `atom = [CFWS] 1*atext [CFWS]` (the leading CFWS already skipped).
    mutating func atom() -> Int {
        guard p < v.count, Self.isAtext(v[p]) else { return -1 }
        let start = p
        while p < v.count, Self.isAtext(v[p]) { p += 1 }
        str += v[start..<p]
        return atEnd ? 0 : skipSpace()
    }

    /// `dot-atom-text`, with CFWS allowed around the dots (RFC 5322 §4.4 obs-domain).
    mutating func dotAtom() -> Int {
        guard p < v.count, Self.isAtext(v[p]) else { return -1 }
        while true {
            let start = p
            while p < v.count, Self.isAtext(v[p]) { p += 1 }
            if p == start { return -1 }
            str += v[start..<p]
            if atEnd { return 0 }
            let r = skipSpace()
            if r <= 0 { return r }
            if v[p] != UInt8(ascii: ".") { return 1 }
            p += 1
            str.append(UInt8(ascii: "."))
            if skipSpace() <= 0 { return -1 }
        }
    }

    /// `quoted-string` (RFC 5322 §3.2.4): quotes removed, quoted pairs undone; -1 when unterminated.
    mutating func quotedString() -> Int {
        p += 1
        while p < v.count {
            let c = v[p]
            if c == ASCII.quote {
                p += 1
                return skipSpace()
            }
            if c == ASCII.backslash {
                p += 1
                guard p < v.count else { return -1 }
                str.append(v[p])
            } else if c != ASCII.cr && c != ASCII.lf {
                str.append(c)
            }
            p += 1
        }
        return -1
    }

    /// Atext and dots as one word (obs-phrase allows "." between words).
    mutating func atomOrDots() -> Int {
        let start = p
        while p < v.count, Self.isAtext(v[p]) || v[p] == UInt8(ascii: ".") { p += 1 }
        str += v[start..<p]
        return atEnd ? 0 : skipSpace()
    }

    /// `phrase = 1*word / obs-phrase`: words joined with one space. A phrase may be empty (then it returns
    /// 1 at whatever follows); one that starts with "." is an error.
    mutating func phrase() -> Int {
        if atEnd { return 0 }
        if peek == UInt8(ascii: ".") { return -1 }
        while true {
            let r = peek == ASCII.quote ? quotedString() : atomOrDots()
            if r <= 0 { return r }
            let c = peek
            if !Self.isAtext(c), c != ASCII.quote, c != UInt8(ascii: ".") { break }
            str.append(ASCII.sp)
        }
        return skipSpace()
    }

    /// `"[" *dtext "]"` (RFC 5322 §3.4.1), brackets and quoted pairs kept as written.
    mutating func domainLiteral() -> Int {
        let start = p
        p += 1
        while p < v.count {
            let c = v[p]
            if c == UInt8(ascii: "[") { return -1 }
            if c == UInt8(ascii: "]") {
                p += 1
                str += v[start..<p].filter { $0 != ASCII.cr && $0 != ASCII.lf }
                return skipSpace()
            }
            if c == ASCII.backslash {
                p += 1
                guard p < v.count else { return -1 }
            }
            p += 1
        }
        return -1
    }

    /// `"@" domain`, the position on the "@".
    mutating func domain() -> Int {
        p += 1
        if skipSpace() <= 0 { return -1 }
        return peek == UInt8(ascii: "[") ? domainLiteral() : dotAtom()
    }
}
