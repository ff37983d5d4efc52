/// Flag lists of RFC 5232 §3: space-separated, compared case-insensitively.
public enum SieveFlags {
    static func split(_ strings: [String]) -> [String] {
        strings.flatMap { $0.split(separator: " ").map(String.init) }
    }

    static func adding(_ current: [String], _ new: [String]) -> [String] {
        var out = current
        for f in split(new) where !out.contains(where: { $0.lowercased() == f.lowercased() }) { out.append(f) }
        return out
    }

    static func removing(_ current: [String], _ gone: [String]) -> [String] {
        let g = Set(split(gone).map { $0.lowercased() })
        return current.filter { !g.contains($0.lowercased()) }
    }

    /// The flags an action stores: split, de-duplicated ignoring case (the first spelling kept), system
    /// flags lower-cased, and without what IMAP cannot store (RFC 9051 §2.3.2: \\Recent or an unknown
    /// system flag, a keyword that is not an atom), as Pigeonhole keeps them.
    static func normalized(_ flags: [String]) -> [String] {
        var out: [String] = []
        var seen: Set<String> = []
        for f in split(flags) where isStorable(f) && seen.insert(f.lowercased()).inserted {
            out.append(f.hasPrefix("\\") ? f.lowercased() : f)
        }
        return out
    }

    static let systemFlags: Set<String> = ["\\answered", "\\flagged", "\\deleted", "\\seen", "\\draft"]

    static func isStorable(_ flag: String) -> Bool {
        if flag.hasPrefix("\\") { return systemFlags.contains(flag.lowercased()) }
        let atomSpecials = Set("(){ %*\"\\]".utf8)
        return !flag.isEmpty && flag.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !atomSpecials.contains($0) }
    }

    /// The order sieve-test lists flags in: system flags in IMAP's order, then keywords as stored.
    static func display(_ flags: [String]) -> [String] {
        let order = ["\\answered", "\\flagged", "\\deleted", "\\seen", "\\draft"]
        let system = order.filter(flags.contains)
        return system + flags.filter { !order.contains($0) }
    }

    /// Lower-cased, de-duplicated, sorted: the form results are compared in.
    public static func canonical(_ flags: [String]) -> [String] {
        Array(Set(split(flags).map { $0.lowercased() })).sorted {
            Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
        }
    }
}

extension SieveRun {
    /// keep and fileinto (RFC 5228 §4.1, §4.3; :flags RFC 5232 §5; :create RFC 5490 §3.2; :mailboxid
    /// RFC 9042 §4). A second store into one mailbox (names compared exactly, but INBOX in any case) is
    /// merged into the first as Pigeonhole merges it: the first's position, name (INBOX when the second
    /// is a keep), :copy and :create, the second's flags; the second leaves the implicit keep alone.
    mutating func store(
        _ mailbox: String, flags: [String]?, create: Bool, id: String?, copy: Bool
    )
        throws(SieveRuntimeError)
    {
        try checkRejectConflict("store")
        let f = SieveFlags.normalized(flags ?? self.flags)
        func same(_ other: String) -> Bool {
            other == mailbox || (other.uppercased() == "INBOX" && mailbox.uppercased() == "INBOX")
        }
        if let i = actions.firstIndex(where: {
            if case .store(let m, _, _, _, _) = $0 { return same(m) }
            return false
        }) {
            if case .store(let oldName, _, let oldCreate, let oldID, let oldCopy) = actions[i] {
                actions[i] = .store(
                    mailbox: mailbox == "INBOX" ? mailbox : oldName, flags: f, create: oldCreate,
                    mailboxID: oldID ?? id, copy: oldCopy)
            }
            return
        }
        if !copy { keepCancelled = true }
        try add(.store(mailbox: mailbox, flags: f, create: create, mailboxID: id, copy: copy))
    }

    /// RFC 5228 §4.2; :copy RFC 3894. The address may come with a display name; its domain is
    /// lower-cased. The same address again is dropped (it leaves the implicit keep alone), as in Pigeonhole.
    mutating func redirect(_ raw: String, copy: Bool) throws(SieveRuntimeError) {
        guard let address = SieveValidator.addrSpec(raw) else {
            throw SieveRuntimeError("invalid redirect address \"\(raw)\"")
        }
        try checkRejectConflict("redirect")
        if actions.contains(.redirect(address: address, copy: true))
            || actions.contains(.redirect(address: address, copy: false))
        {
            return
        }
        if !copy { keepCancelled = true }
        redirects += 1
        guard redirects <= SieveLimits.maxRedirects else {
            throw SieveRuntimeError("more than \(SieveLimits.maxRedirects) redirects")
        }
        try add(.redirect(address: address, copy: copy))
    }

    /// Pigeonhole refuses reject next to an action that delivers or another response (RFC 5429 §2.1.1).
    private func checkRejectConflict(_ what: String) throws(SieveRuntimeError) {
        if actions.contains(where: {
            if case .reject = $0 { return true }
            return false
        }) {
            throw SieveRuntimeError("reject conflicts with the \(what) action")
        }
    }

    /// RFC 5429 §2.1, §2.2.
    mutating func reject(_ reason: String, extended: Bool) throws(SieveRuntimeError) {
        for a in actions {
            switch a {
            case .reject: throw SieveRuntimeError("duplicate reject/ereject action not allowed")
            case .store, .redirect: throw SieveRuntimeError("reject/ereject conflicts with an action that delivers")
            case .vacation: throw SieveRuntimeError("reject/ereject conflicts with vacation")
            case .discard, .trackDuplicate: break
            }
        }
        keepCancelled = true
        try add(.reject(reason: reason, extended: extended))
    }

    /// RFC 5232 §4 (setflag, addflag, removeflag), on the named variable or the internal one.
    mutating func flagCommand(_ c: SieveCall) throws(SieveRuntimeError) {
        let values = strings(c, 1)
        let variable = c.positional[0].flatMap { $0.strings.first }
        var current = variable.map { SieveFlags.split([read($0)]) } ?? flags
        switch c.name {
        case "setflag": current = SieveFlags.adding([], values)
        case "addflag": current = SieveFlags.adding(current, values)
        default: current = SieveFlags.removing(current, values)
        }
        if let variable {
            try write(variable, current.joined(separator: " "))
        } else {
            flags = current
        }
    }

    /// RFC 5230 §4; :seconds RFC 6131. The default period is 7 days, as Pigeonhole's.
    mutating func vacation(_ c: SieveCall) throws(SieveRuntimeError) {
        for a in actions {
            switch a {
            case .vacation: throw SieveRuntimeError("duplicate vacation action not allowed")
            case .reject: throw SieveRuntimeError("vacation conflicts with reject/ereject")
            default: break
            }
        }
        let reason = string(c, 0)
        let subject = c.string("subject").map(expand)
        let from = c.string("from").map(expand)
        let mime = c.has("mime")
        // Pigeonhole raises any period below its minimum of one day to a day, :seconds 0 included
        // (RFC 6131 §2 would allow 0: reply every time).
        let days = (c.number("days") ?? 7).multipliedReportingOverflow(by: 86400)
        let asked = c.number("seconds") ?? (days.overflow ? UInt64.max : days.partialValue)
        let seconds = max(asked, 86400)
        // Pigeonhole builds the default handle from the arguments as written, variables unexpanded.
        let handle =
            c.string("handle").map(expand)
            ?? c.argString(0) + (c.string("subject") ?? "<default-subject>") + (c.string("from") ?? "<default-from>")
            + (mime ? "<MIME>" : "<NO-MIME>")
        let v = SieveVacation(
            recipient: envelope.from, from: from, subject: subject, reason: reason, mime: mime, handle: handle,
            seconds: seconds, addresses: (c.list("addresses") ?? []).map(expand))
        try add(.vacation(v))
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
