/// The canonical JSON result shared with the Pigeonhole recorder, and sieve-test's human listing.
public enum SieveOutput {
    /// `{"compile": ..., "runtime_error": ..., "actions": [...], "implicit_keep": ...}` on one line.
    /// A runtime error lists no actions (sieve-test prints none) and keeps the message.
    /// `vacationSent` says whether a vacation reply would go out (the policy's decision; sieve-test
    /// shows it only when it executes the result).
    public static func json(_ result: SieveResult?, vacationSent: (SieveVacation) -> Bool = { _ in true }) -> String {
        guard let result else {
            return #"{"compile": "error", "runtime_error": false, "actions": [], "implicit_keep": null}"#
        }
        let failed = result.runtimeError != nil
        let actions = failed ? [] : result.actions.map { json($0, vacationSent: vacationSent) }
        let keep = result.implicitKeep.map { #"{"flags": "# + list(SieveFlags.canonical($0.flags)) + "}" } ?? "null"
        return #"{"compile": "ok", "runtime_error": \#(failed), "actions": ["# + actions.joined(separator: ", ")
            + #"], "implicit_keep": "# + keep + "}"
    }

    static func json(_ action: SieveAction, vacationSent: (SieveVacation) -> Bool) -> String {
        switch action {
        case .trackDuplicate(_, let handle, _):
            return #"{"type": "duplicate", "handle": "# + (handle.map(quote) ?? "null") + "}"
        case .store(let mailbox, let flags, _, _, _):
            return #"{"type": "store", "mailbox": "# + quote(mailbox) + #", "flags": "#
                + list(SieveFlags.canonical(flags))
                + "}"
        case .redirect(let address, _):
            return #"{"type": "redirect", "address": "# + quote(address) + "}"
        case .reject(let reason, _):
            return #"{"type": "reject", "reason": "# + quote(sanitized(reason)) + "}"
        case .discard:
            return #"{"type": "discard"}"#
        case .vacation(let v):
            return #"{"type": "vacation", "seconds": \#(v.seconds), "subject": "# + (v.subject.map(quote) ?? "null")
                + #", "from": "# + (v.from.map(quote) ?? "null") + #", "reason": "# + quote(v.reason)
                + #", "mime": \#(v.mime), "sent": \#(vacationSent(v))}"#
        }
    }

    /// As sieve-test shows a reason or a mailbox name: control characters as "?", and a text longer than
    /// 128 bytes cut to 125 and "...".
    static func sanitized(_ s: String) -> String {
        let clean = s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }
        guard s.utf8.count > 128 else { return String(String.UnicodeScalarView(clean)) }
        var out = String.UnicodeScalarView()
        var size = 0
        for c in clean {
            size += String(c).utf8.count
            if size > 125 { break }
            out.append(c)
        }
        return String(out) + "..."
    }

    static func list(_ items: [String]) -> String { "[" + items.map(quote).joined(separator: ", ") + "]" }

    /// A JSON string literal (RFC 8259 §7).
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// The listing sieve-test prints: performed actions, then the implicit keep.
    public static func human(_ result: SieveResult, vacationDecision: SieveVacationDecision? = nil) -> String {
        if let error = result.runtimeError {
            return "runtime error: \(error)\nfinal result: failed; resolved with successful implicit keep\n"
        }
        var out = "\nPerformed actions:\n\n"
        if result.actions.isEmpty { out += "  (none)\n" }
        for a in result.actions { out += human(a, vacationDecision) }
        out += "\nImplicit keep:\n\n"
        if let keep = result.implicitKeep {
            out += " * store message in folder: INBOX\n"
            if !keep.flags.isEmpty {
                out += "        + add IMAP flags: \(SieveFlags.display(keep.flags).joined(separator: " "))\n"
            }
        } else {
            out += "  (none)\n"
        }
        return out + "\n"
    }

    static func human(_ a: SieveAction, _ decision: SieveVacationDecision?) -> String {
        let preserve = "        + preserve implicit keep\n"
        switch a {
        case .store(let mailbox, let flags, let create, _, let copy):
            var s = " * store message in folder: \(sanitized(mailbox))\n"
            if create { s += "        + create mailbox if it does not exist\n" }
            if copy { s += preserve }
            if !flags.isEmpty { s += "        + add IMAP flags: \(SieveFlags.display(flags).joined(separator: " "))\n" }
            return s
        case .redirect(let address, let copy): return " * redirect message to: <\(address)>\n" + (copy ? preserve : "")
        case .reject(let reason, _): return " * reject message with reason: \(sanitized(reason))\n"
        case .discard: return " * discard\n"
        case .trackDuplicate(_, let handle, _):
            return " * track duplicate" + (handle.map { " with handle: \($0)" } ?? "") + "\n"
        case .vacation(let v):
            var s = " * send vacation message:\n    => seconds : \(v.seconds)\n"
            if let subject = v.subject { s += "    => subject : \(subject)\n" }
            if let from = v.from { s += "    => from    : \(from)\n" }
            s += "    => handle  : \(v.handle)\n"
            if case .suppress(let why)? = decision { s += "    => not sent: \(why)\n" }
            return s + "\nSTART MESSAGE\n\(v.reason)\nEND MESSAGE\n"
        }
    }
}
