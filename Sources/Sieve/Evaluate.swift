import MIME

extension SieveRun {
    /// Evaluates a test (RFC 5228 §5 and the extensions' tests).
    mutating func evaluate(_ t: SieveCall) throws(SieveRuntimeError) -> Bool {
        switch t.name {
        case "true": return true
        case "false": return false
        case "not": return !(try evaluate(t.tests[0]))
        case "allof":
            for sub in t.tests where !(try evaluate(sub)) { return false }
            return true
        case "anyof":
            for sub in t.tests where try evaluate(sub) { return true }
            return false
        case "size":
            if let n = t.number("over") { return UInt64(message.size) > n }
            return UInt64(message.size) < (t.number("under") ?? 0)
        case "exists":
            return strings(t, 0).allSatisfy { !headerValues($0, decoded: false).isEmpty }
        case "header":
            var values: [String] = []
            for name in strings(t, 0) { values += indexed(headerValues(name, decoded: true), t) }
            return try match(t, values, strings(t, 1))
        case "address":
            var values: [String] = []
            for name in strings(t, 0) {
                let fields = indexed(headerValues(name, decoded: false), t)
                for f in fields { values += SieveAddress.parts(of: f, t) }
            }
            return try match(t, values, strings(t, 1))
        case "envelope":
            var values: [String] = []
            for part in strings(t, 0) {
                switch part.lowercased() {
                case "from": values += SieveAddress.envelopePart(envelope.from, t)
                case "to": values += SieveAddress.envelopePart(envelope.to, t)
                default: if let a = envelope.auth { values += SieveAddress.envelopePart(a, t) }
                }
            }
            return try match(t, values, strings(t, 1))
        case "string":
            let values = strings(t, 0)
            return try match(t, SieveMatcher(t).isCount ? values.filter { !$0.isEmpty } : values, strings(t, 1))
        case "hasflag":
            let current = t.positional[0].map { $0.strings.flatMap { SieveFlags.split([read(expand($0))]) } } ?? flags
            // RFC 5232 §4: for :is and :contains the keys are flag lists too, split like the variable's value
            // ("b A" is two flags, "" none); :matches, :value and :count keys are taken whole, as in Pigeonhole.
            let keys = strings(t, 1)
            let whole = t.has("matches") || t.has("value") || t.has("count")
            return try match(t, current, whole ? keys : SieveFlags.split(keys))
        case "mailboxexists": return strings(t, 0).allSatisfy(env.mailboxExists)
        case "mailboxidexists": return strings(t, 0).allSatisfy(env.mailboxIDExists)
        // RFC 5490 §3.3, §3.4, §4.1, §4.2: a test of an annotation that is not set is false (even
        // `:count "eq" "0"`, as in Pigeonhole), and the annotation does not exist.
        case "metadata":
            guard let value = env.metadata(string(t, 0), string(t, 1)) else { return false }
            return try match(t, [value], strings(t, 2))
        case "metadataexists":
            let mailbox = string(t, 0)
            return strings(t, 1).allSatisfy { env.metadata(mailbox, $0) != nil }
        case "servermetadata":
            guard let value = env.metadata(nil, string(t, 0)) else { return false }
            return try match(t, [value], strings(t, 1))
        case "servermetadataexists": return strings(t, 0).allSatisfy { env.metadata(nil, $0) != nil }
        case "body":
            // RFC 5173 §6 (as Pigeonhole): the body test never sets match variables.
            return try SieveMatcher(t).test(SieveBody.values(message, t, expand), strings(t, 0)).matched
        case "date", "currentdate": return try dateTest(t)
        case "duplicate": return duplicate(t)
        case "spamtest", "virustest": return try statusTest(t)
        case "environment":
            let value = env.items[string(t, 0).lowercased()]
            return try match(t, value.map { [$0] } ?? [], strings(t, 1))
        default: throw SieveRuntimeError("unknown test '\(t.name)'")
        }
    }

    /// Applies the matcher; a successful `:matches` sets the match variables (RFC 5229 §3.2).
    mutating func match(_ t: SieveCall, _ values: [String], _ keys: [String]) throws(SieveRuntimeError) -> Bool {
        let (matched, captures) = try SieveMatcher(t).test(values, keys)
        if matched, let captures, usesVariables {
            vars.matches = captures.prefix(SieveLimits.maxMatchVariables).map {
                Array($0.prefix(SieveLimits.maxVariableSize))
            }
        }
        return matched
    }

    /// The values of every `name` field, unfolded, RFC 2047-decoded when `decoded`.
    func headerValues(_ name: String, decoded: Bool) -> [String] {
        let raw = message.values(name).prefix(SieveLimits.maxHeaderValues)
        // Bytes that are not UTF-8 read as U+FFFD (as in Pigeonhole), then encoded words are decoded.
        return raw.map {
            let text = String(decoding: $0, as: UTF8.self)
            return decoded ? EncodedWords.decode(Array(text.utf8)) : text
        }
    }

    /// :index/:last (RFC 5260 §6): only the n-th field, counted from the end with :last.
    func indexed(_ values: [String], _ t: SieveCall) -> [String] {
        guard let n = t.number("index") else { return values }
        guard n >= 1, n <= UInt64(values.count) else { return [] }
        let i = Int(n) - 1
        return [t.has("last") ? values[values.count - 1 - i] : values[i]]
    }

    /// RFC 7352 §3: the id is the handle plus the Message-ID (or :header's value, or :uniqueid).
    mutating func duplicate(_ t: SieveCall) -> Bool {
        let value: String?
        if let u = t.string("uniqueid") {
            value = expand(u)
        } else {
            value = headerValues(t.string("header").map(expand) ?? "message-id", decoded: false).first?.trimmingSpaces
        }
        guard let value, !value.isEmpty else { return false }
        let id = (t.string("handle").map(expand) ?? "") + "\u{0}" + value
        let seen = env.seen(id)
        let track = SieveAction.trackDuplicate(
            id: id, handle: t.string("handle").map(expand), seconds: t.number("seconds") ?? 7 * 86400)
        if !actions.contains(track) { actions.append(track) }
        return seen
    }

    /// spamtest/virustest (RFC 5235 §3): the configured header mapped onto 0...10 (or a percentage with
    /// :percent); 0 when unconfigured or absent.
    mutating func statusTest(_ t: SieveCall) throws(SieveRuntimeError) -> Bool {
        let percent = t.has("percent")
        let settings = t.name == "spamtest" ? env.spamtest : env.virustest
        var result = "0"
        if let settings, let raw = headerValues(settings.header, decoded: true).first?.trimmingSpaces {
            let fraction: Double?
            switch settings.kind {
            case .score:
                let number = raw.prefix { $0.isNumber || $0 == "." || $0 == "-" }
                fraction = Double(number).map { settings.maxValue > 0 ? $0 / settings.maxValue : 0 }
            case .strlen:
                fraction = settings.maxValue > 0 ? Double(raw.count) / settings.maxValue : 0
            case .text:
                fraction = nil
            }
            if let fraction {
                // Scaled and rounded down as Pigeonhole does (RFC 5235 §3.2 leaves the mapping open);
                // the epsilon keeps 0.29 × 100 at 29.
                let clamped = min(max(fraction, 0), 1)
                func scaled(_ range: Double) -> Int { Int((clamped * range + 1e-9).rounded(.down)) }
                if percent {
                    result = String(scaled(100))
                } else if t.name == "virustest" {
                    result = String(1 + scaled(4))
                } else {
                    result = String(1 + scaled(9))
                }
            }
        }
        return try match(t, [result], strings(t, 0))
    }
}

/// Address parts of RFC 5228 §2.7.4 and RFC 5233 (subaddress, separator "+").
enum SieveAddress {
    static func parts(of value: String, _ t: SieveCall) -> [String] {
        var out: [String] = []
        for a in AddressParser.parse(Array(value.utf8)) where !a.isGroupStart && !a.isGroupEnd {
            // An address without a local part or a domain, or one that does not parse, is skipped, as
            // Pigeonhole skips it.
            guard let mailbox = a.mailbox, let host = a.host, mailbox != EnvelopeAddress.missingMailbox,
                host != EnvelopeAddress.missingDomain, host != EnvelopeAddress.syntaxError, !host.isEmpty
            else { continue }
            let local = String(decoding: mailbox, as: UTF8.self)
            if t.has("localpart") || t.has("user") || t.has("detail") || t.has("domain") {
                if let p = part(local: local, domain: String(decoding: host, as: UTF8.self), t) { out.append(p) }
            } else {
                out.append(quotedLocal(local) + "@" + String(decoding: host, as: UTF8.self))
            }
        }
        // Pigeonhole: a field without a single valid address ("undisclosed-recipients:;", "alice") is
        // one value, its text, for :all; it has no local part or domain.
        let trimmed = value.trimmingSpaces
        if out.isEmpty, !trimmed.isEmpty, !hasPartTag(t) { return [trimmed] }
        return out
    }

    /// A local part as written in an addr-spec (RFC 5322 §3.4.1): a dot-atom as it is, anything else
    /// quoted (`"a b"@example.com`), as the :all part shows it.
    static func quotedLocal(_ local: String) -> String {
        let specials = Set("()<>[]:;@\\,\" \t".unicodeScalars)
        let dotAtom =
            !local.isEmpty && !local.hasPrefix(".") && !local.hasSuffix(".") && !local.contains("..")
            && !local.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F || specials.contains($0) }
        if dotAtom { return local }
        var out = "\""
        for c in local.unicodeScalars {
            if c == "\"" || c == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out + "\""
    }

    static func hasPartTag(_ t: SieveCall) -> Bool {
        ["localpart", "domain", "user", "detail"].contains(where: t.has)
    }

    static func envelopePart(_ address: String, _ t: SieveCall) -> [String] {
        var a = address.trimmingSpaces
        if a.hasPrefix("<"), a.hasSuffix(">") { a = String(a.dropFirst().dropLast()) }
        // RFC 5228 §5.4: the null reverse-path matches "" with :all only... every part of it is empty.
        if a.isEmpty { return [""] }
        guard let at = a.lastIndex(of: "@") else { return part(local: a, domain: nil, t).map { [$0] } ?? [] }
        return part(local: String(a[..<at]), domain: String(a[a.index(after: at)...]), t).map { [$0] } ?? []
    }

    static func part(local: String, domain: String?, _ t: SieveCall) -> String? {
        if t.has("localpart") { return local }
        if t.has("domain") { return domain ?? "" }
        if t.has("user") { return local.firstIndex(of: "+").map { String(local[..<$0]) } ?? local }
        if t.has("detail") {
            guard let plus = local.firstIndex(of: "+") else { return nil }
            return String(local[local.index(after: plus)...])
        }
        return domain.map { local + "@" + $0 } ?? local
    }
}
