extension SieveValidator {
    /// RFC 5228 §5.1: the address test only reads fields known to hold addresses (Pigeonhole's list).
    static let addressHeaders: Set<String> = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender", "resent-to", "resent-cc",
        "resent-bcc", "resent-reply-to", "delivered-to", "errors-to", "return-receipt-to", "x-original-to",
        "mail-followup-to", "mail-reply-to", "apparently-to",
    ]

    static let comparators: [String: String?] = [
        "i;octet": nil, "i;ascii-casemap": nil, "i;ascii-numeric": "comparator-i;ascii-numeric",
    ]

    /// The checks that need a whole call: comparator names (RFC 5228 §2.7.3), relational operators
    /// (RFC 5231 §4), `:last` without `:index` (RFC 5260 §6), `size` tags (§5.9), variable names (RFC 5229
    /// §3), vacation periods (RFC 5230 §4.1), constant mailbox names.
    func checkSemantics(_ call: SieveCall, _ node: SieveNode) throws(SieveCompileError) {
        func fail(_ message: String) -> SieveCompileError {
            SieveCompileError(line: node.line, column: node.column, message)
        }
        if let name = call.string("comparator") {
            guard let ext = Self.comparators[name] else { throw fail("unknown comparator \"\(name)\"") }
            if let ext, !requires.contains(ext) { throw fail("comparator \"\(name)\" needs require \"\(ext)\"") }
        }
        // RFC 4790 §9.1: i;ascii-numeric offers equality and ordering only, no substring matching.
        if call.string("comparator") == "i;ascii-numeric", call.has("contains") || call.has("matches") {
            throw fail(
                "comparator \"i;ascii-numeric\" cannot be used with :\(call.has("contains") ? "contains" : "matches")")
        }
        for tag in ["count", "value"] {
            // Pigeonhole takes the operators in lower case only (RFC 5231 §4's ABNF would allow any case).
            if let op = call.string(tag), !Self.relationalOperators.contains(op) {
                throw fail("unknown relational operator \"\(op)\"")
            }
        }
        if call.has("last"), call.name != "duplicate", !call.has("index") {
            throw fail("':last' needs ':index'")
        }
        if let n = call.number("index"), n == 0 { throw fail("':index' must be at least 1") }
        switch call.name {
        case "size":
            guard call.has("over") || call.has("under") else { throw fail("test 'size' needs ':over' or ':under'") }
        case "set":
            let name = call.argString(0)
            guard SieveVariables.isValidName(name, forSet: true) else {
                throw fail("invalid variable name \"\(name)\"")
            }
            // RFC 6609 §3.5: the "global" namespace exists only with include.
            if name.lowercased().hasPrefix("global."), !requires.contains("include") {
                throw fail("variable namespace \"global\" needs require \"include\"")
            }
        case "vacation":
            if let from = call.string("from"), !from.contains("${"), !Self.isMailbox(from) {
                throw fail("invalid vacation :from address \"\(from)\"")
            }
        case "global":
            guard requires.contains("variables") else { throw fail("command 'global' needs require \"variables\"") }
            for name in call.arg(0) where !SieveVariables.isValidName(name, forSet: true) || name.contains(".") {
                throw fail("invalid variable name \"\(name)\"")
            }
        case "setflag", "addflag", "removeflag", "hasflag":
            if let name = call.positional[0]?.strings.first {
                guard requires.contains("variables") else { throw fail("a flag variable needs require \"variables\"") }
                guard SieveVariables.isValidName(name, forSet: true) else {
                    throw fail("invalid variable name \"\(name)\"")
                }
            }
        case "fileinto":
            if SieveRun.notUTF8(call.argString(0)) { throw fail("mailbox name is not valid UTF-8") }
        case "include":
            let name = call.argString(0)
            guard !name.isEmpty, !name.contains("/") else { throw fail("invalid script name \"\(name)\"") }
        case "redirect":
            let address = call.argString(0)
            if !address.contains("${"), Self.addrSpec(address) == nil {
                throw fail("invalid redirect address \"\(address)\"")
            }
        case "address":
            for name in call.arg(0) where !name.contains("${") {
                guard Self.addressHeaders.contains(name.lowercased()) else {
                    throw fail("header \"\(name)\" is not allowed for the address test")
                }
            }
        case "envelope":
            for part in call.arg(0) where !part.contains("${") {
                guard ["from", "to", "auth"].contains(part.lowercased()) else {
                    throw fail("unknown envelope part \"\(part)\"")
                }
            }
        default:
            break
        }
    }
}

extension SieveValidator {
    /// An addr-spec, or a display name followed by one in angle brackets (RFC 5322 §3.4).
    static func isMailbox(_ raw: String) -> Bool { addrSpec(raw) != nil }

    /// The addr-spec of a mailbox (`a@b`, `<a@b>` or `Name <a@b>`) with its domain lower-cased; nil when
    /// there is none.
    static func addrSpec(_ raw: String) -> String? {
        var a = raw.trimmingSpaces
        if let open = a.lastIndex(of: "<"), a.hasSuffix(">") {
            a = String(a[a.index(after: open)..<a.index(before: a.endIndex)])
        }
        guard isAddress(a), let at = a.lastIndex(of: "@") else { return nil }
        return String(a[..<at]) + "@" + a[a.index(after: at)...].lowercased()
    }

    /// A plausible addr-spec (RFC 5322 §3.4.1), optionally in angle brackets: local@domain, no spaces.
    static func isAddress(_ raw: String) -> Bool {
        var a = raw.trimmingSpaces
        if a.hasPrefix("<"), a.hasSuffix(">") { a = String(a.dropFirst().dropLast()) }
        guard let at = a.lastIndex(of: "@") else { return false }
        let local = a[..<at]
        let domain = a[a.index(after: at)...]
        return !local.isEmpty && !domain.isEmpty
            && !a.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" })
            && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}
