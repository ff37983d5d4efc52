/// An address as the IMAP ENVELOPE shows it (RFC 9051 §7.5.2): personal name, source route (adl),
/// mailbox (local part) and host. Values are the raw header bytes: encoded words stay encoded.
///
/// A group (RFC 5322 §3.4) is a start marker with `mailbox` = the group name and `host` = nil, its
/// members, then an end marker with all four fields nil.
public struct EnvelopeAddress: Sendable, Hashable {
    public var name: [UInt8]?
    public var adl: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]? = nil, adl: [UInt8]? = nil, mailbox: [UInt8]? = nil, host: [UInt8]? = nil) {
        self.name = name
        self.adl = adl
        self.mailbox = mailbox
        self.host = host
    }

    public var isGroupStart: Bool { host == nil && mailbox != nil }
    public var isGroupEnd: Bool { name == nil && adl == nil && mailbox == nil && host == nil }

    /// What a broken address lacks is filled in with these, as Dovecot does.
    public static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    public static let missingDomain = Array("MISSING_DOMAIN".utf8)
}

/// Parses address lists (RFC 5322 §3.4 with the obsolete forms of §4.4: routes, phrases with dots,
/// CFWS around dots). Never fails: a broken address is kept as well as possible, with
/// ``EnvelopeAddress/missingMailbox`` or ``EnvelopeAddress/missingDomain`` for what it lacks. A
/// comment after a bare addr-spec (`a@b (Name)`) gives the name when there is no display name.
public enum AddressParser {
    public static func parse(_ value: [UInt8]) -> [EnvelopeAddress] {
        let t = HeaderTokenizer.tokenize(value, mode: .address)
        var out: [EnvelopeAddress] = []
        var i = 0
        var inGroup = false
        while i < t.count, out.count < MIMELimits.maxAddresses {
            if t[i].isSpecial(UInt8(ascii: ",")) || t[i].kind == .comment && t[i].bytes.isEmpty {
                i += 1
                continue
            }
            if t[i].isSpecial(UInt8(ascii: ";")) {
                if inGroup {
                    out.append(EnvelopeAddress())
                    inGroup = false
                }
                i += 1
                continue
            }
            var k = i
            while k < t.count {
                let tok = t[k]
                if tok.kind == .special,
                    tok.isSpecial(UInt8(ascii: ",")) || tok.isSpecial(UInt8(ascii: ";"))
                        || tok.isSpecial(UInt8(ascii: "<")) || (!inGroup && tok.isSpecial(UInt8(ascii: ":")))
                {
                    break
                }
                k += 1
            }
            if k < t.count, t[k].isSpecial(UInt8(ascii: ":")) {
                out.append(EnvelopeAddress(mailbox: phrase(t[i..<k]) ?? []))
                inGroup = true
                i = k + 1
                continue
            }
            if k < t.count, t[k].isSpecial(UInt8(ascii: "<")) {
                var m = k + 1
                // An unterminated angle address ends at the next comma (a route, "<@a,@b:...", has commas).
                let isRoute = k + 1 < t.count && t[k + 1].isSpecial(UInt8(ascii: "@"))
                while m < t.count, !t[m].isSpecial(UInt8(ascii: ">")) {
                    if !isRoute, t[m].isSpecial(UInt8(ascii: ",")) { break }
                    m += 1
                }
                var address = angleAddress(t[(k + 1)..<m])
                address.name = phrase(t[i..<k])
                i = m < t.count && t[m].isSpecial(UInt8(ascii: ">")) ? m + 1 : m
                // Trailing comments up to the next separator may name an unnamed address.
                while i < t.count, !t[i].isSpecial(UInt8(ascii: ",")), !t[i].isSpecial(UInt8(ascii: ";")) {
                    if address.name == nil, t[i].kind == .comment, !t[i].bytes.isEmpty { address.name = t[i].bytes }
                    i += 1
                }
                out.append(address)
                continue
            }
            let segment = t[i..<k]
            i = k
            guard segment.contains(where: { $0.kind != .comment }) else { continue }
            var address = addrSpec(segment)
            address.name = segment.last(where: { $0.kind == .comment && !$0.bytes.isEmpty })?.bytes
            out.append(address)
        }
        if inGroup { out.append(EnvelopeAddress()) }
        return out
    }

    /// `[route ":"] addr-spec` inside angle brackets (RFC 5322 §4.4 obs-route).
    static func angleAddress(_ tokens: ArraySlice<HeaderToken>) -> EnvelopeAddress {
        var rest = tokens.filter { $0.kind != .comment }[...]
        var adl: [UInt8]? = nil
        if let first = rest.first, first.isSpecial(UInt8(ascii: "@")),
            let colon = rest.firstIndex(where: { $0.isSpecial(UInt8(ascii: ":")) })
        {
            adl = rest[rest.startIndex..<colon].flatMap(\.bytes)
            rest = rest[(colon + 1)...]
        }
        var address = addrSpec(rest)
        address.adl = adl
        return address
    }

    /// `local-part "@" domain`, split at the last "@"; white space between the pieces is dropped.
    static func addrSpec(_ tokens: some Collection<HeaderToken>) -> EnvelopeAddress {
        let words = tokens.filter { $0.kind != .comment }
        var local: [UInt8] = []
        var domain: [UInt8] = []
        if let at = words.lastIndex(where: { $0.isSpecial(UInt8(ascii: "@")) }) {
            local = words[..<at].flatMap(\.bytes)
            domain = words[(at + 1)...].flatMap(\.bytes)
        } else {
            local = joined(words[...]) ?? []
        }
        return EnvelopeAddress(
            mailbox: local.isEmpty ? EnvelopeAddress.missingMailbox : local,
            host: domain.isEmpty ? EnvelopeAddress.missingDomain : domain)
    }

    /// A display name or group name: words joined with one space where the header had white space.
    static func phrase(_ tokens: ArraySlice<HeaderToken>) -> [UInt8]? {
        joined(tokens.filter { $0.kind != .comment }[...])
    }

    static func joined(_ words: ArraySlice<HeaderToken>) -> [UInt8]? {
        var out: [UInt8] = []
        for w in words {
            if w.spaceBefore, !out.isEmpty { out.append(ASCII.sp) }
            out += w.bytes
        }
        return out.isEmpty && !words.contains(where: { $0.kind == .quoted }) ? nil : out
    }
}
