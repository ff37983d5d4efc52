/// The address productions of RFC 5322 §3.4 (and §4.4) over the lexical readers of ``AddressListParser``.
extension AddressListParser {
    static let missingMailbox = EnvelopeAddress.missingMailbox
    static let missingDomain = EnvelopeAddress.missingDomain
    static let syntaxError = EnvelopeAddress.syntaxError
    static let invalidRoute = Array("INVALID_ROUTE".utf8)

    /// `address-list = (address *("," address)) / obs-addr-list`
    mutating func addressList() -> [EnvelopeAddress] {
        guard skipSpace() > 0 else { return [] }
        while out.count < limit {
            if address() == 0 { break }
            guard peek == UInt8(ascii: ","), !atEnd else { break }
            p += 1
            let r = skipSpace()
            if r <= 0 {
                // A trailing comma is nothing; a comma followed by an unterminated comment is a broken address.
                if r < 0 { addFixed() }
                break
            }
        }
        if out.count > limit { out.removeLast(out.count - limit) }
        return out
    }

    /// `address = mailbox / group`
    mutating func address() -> Int {
        let start = p
        let r = group()
        if r >= 0 { return r }
        p = start
        return mailbox()
    }

    /// `group = display-name ":" [group-list] ";" [CFWS]`: a start marker (the name as mailbox, no host), the
    /// members, an end marker. Once the ":" is read it is a group, however broken the rest.
    mutating func group() -> Int {
        str = []
        guard phrase() > 0, peek == UInt8(ascii: ":") else { return -1 }
        p += 1
        var r = skipSpace()
        addr.mailbox = str
        add()
        if r > 0, peek != UInt8(ascii: ";") {
            while out.count < limit {
                _ = mailbox()
                guard !atEnd, peek == UInt8(ascii: ",") else { break }
                p += 1
                if skipSpace() <= 0 {
                    r = -1
                    break
                }
            }
        }
        if r >= 0 {
            if atEnd || peek != UInt8(ascii: ";") {
                r = -1
            } else {
                p += 1
                r = skipSpace()
            }
        }
        add()
        return r == 0 ? 0 : 1
    }

    /// `mailbox = name-addr / addr-spec`; always adds one address, filled in where it is broken.
    mutating func mailbox() -> Int {
        let start = p
        var r = nameAddr()
        if r < 0 {
            p = start
            var invalid = false
            r = addrSpec(&invalid)
            // A lone word that is not followed by "@domain" reads as a name rather than a mailbox.
            if invalid, addr.name == nil, addr.mailbox != nil, addr.domain == nil {
                addr.name = addr.mailbox
                addr.mailbox = nil
            }
        }
        addFixed()
        return r
    }

    /// `name-addr = [display-name] angle-addr`; -1 (nothing read) when no "<" follows the phrase.
    mutating func nameAddr() -> Int {
        str = []
        guard phrase() > 0, peek == UInt8(ascii: "<") else { return -1 }
        addr.name = str.isEmpty ? nil : str
        if angleAddr() < 0 { addr.domain = Self.syntaxError }
        return state
    }

    /// `angle-addr = "<" [obs-route] addr-spec ">"`, the position on the "<". `<>` gives no mailbox.
    mutating func angleAddr() -> Int {
        p += 1
        if skipSpace() <= 0 { return -1 }
        if peek == UInt8(ascii: "@") {
            if route() > 0, peek == UInt8(ascii: ":") {
                p += 1
            } else {
                addr.route = Self.invalidRoute
                if atEnd { return -1 }
            }
            if skipSpace() <= 0 { return -1 }
        }
        if peek != UInt8(ascii: ">") {
            if localPart() <= 0 { return -1 }
            if peek == UInt8(ascii: "@"), domainPart() <= 0 { return -1 }
        }
        guard peek == UInt8(ascii: ">") else { return -1 }
        p += 1
        return skipSpace()
    }

    /// `obs-domain-list = *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain])`, kept as "@a,@b".
    mutating func route() -> Int {
        str = []
        while true {
            if atEnd { return 0 }
            guard peek == UInt8(ascii: "@") else { break }
            if !str.isEmpty { str.append(UInt8(ascii: ",")) }
            str.append(UInt8(ascii: "@"))
            let r = domain()
            if r <= 0 { return r }
            while skipSpace() > 0, peek == UInt8(ascii: ",") { p += 1 }
        }
        addr.route = str
        return 1
    }

    /// `addr-spec = local-part "@" domain`, or what is left of one: a comment in it is the name; a word
    /// without a domain followed by more words is a display name with no address.
    mutating func addrSpec(_ invalid: inout Bool) -> Int {
        lastComment = []
        let quoted = peek == ASCII.quote
        var r = localPart()
        if r <= 0 { invalid = true }
        var domainResult: Int? = nil
        if r != 0, !atEnd, peek == UInt8(ascii: "@") {
            let d = domainPart()
            domainResult = d
            if d <= 0 { r = d }
        }
        if !lastComment.isEmpty {
            addr.name = lastComment
        } else if domainResult == nil {
            str.append(ASCII.sp)
            let before = str.count
            _ = phrase()
            if str.count != before {
                addr.mailbox = nil
                addr.name = str
            } else if !quoted {
                addr.domain = []
            }
            invalid = true
            r = -1
        }
        return r
    }

    /// `local-part = dot-atom / quoted-string / obs-local-part`, dots anywhere (as senders write them).
    mutating func localPart() -> Int {
        str = []
        let r = peek == ASCII.quote ? quotedString() : looseDotAtom()
        if r < 0 { return -1 }
        addr.mailbox = str
        return r
    }

    /// Atoms and dots in any order, up to "@".
    mutating func looseDotAtom() -> Int {
        var r = -1
        repeat {
            while peek == UInt8(ascii: "."), !atEnd {
                str.append(UInt8(ascii: "."))
                p += 1
                if atEnd { return 0 }
                r = 1
            }
            if peek == UInt8(ascii: "@") { break }
            r = atom()
        } while r > 0 && peek == UInt8(ascii: ".")
        return r
    }

    mutating func domainPart() -> Int {
        str = []
        let r = domain()
        if r < 0 { return -1 }
        addr.domain = str
        return r
    }

    /// Adds the pending address with what it lacks filled in.
    mutating func addFixed() {
        if addr.mailbox == nil { addr.mailbox = Self.missingMailbox }
        if addr.domain?.isEmpty ?? true { addr.domain = Self.missingDomain }
        add()
    }

    mutating func add() {
        out.append(
            EnvelopeAddress(
                name: addr.name.map(Self.forHumans), adl: addr.route, mailbox: addr.mailbox, host: addr.domain)
        )
        addr = Pending()
    }

    /// A display name as ENVELOPE shows it (as Dovecot does, for people to read): white space runs made one
    /// space, none at either end.
    static func forHumans(_ name: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(name.count)
        var pendingSpace = false
        for c in name {
            if c == ASCII.sp || c == ASCII.tab || c == ASCII.cr || c == ASCII.lf {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.append(ASCII.sp) }
            pendingSpace = false
            result.append(c == 0 ? 0x80 : c)
        }
        return result
    }
}
