/// Whether a vacation reply may go out.
public enum SieveVacationDecision: Sendable, Equatable {
    case send
    /// Not sent, and why (one line).
    case suppress(String)
}

/// RFC 5230 §4.5 and §5, with the header checks Pigeonhole makes. The `:days` window is not checked
/// here: the delivery layer keys its response database with ``SieveVacation/handle``.
public enum SieveVacationPolicy {
    public static func decide(
        _ vacation: SieveVacation, message: SieveMessage, envelope: SieveEnvelope, environment: SieveEnvironment
    ) -> SieveVacationDecision {
        let sender = bare(envelope.from).lowercased()
        guard !sender.isEmpty else { return .suppress("the envelope sender is empty") }
        let local = sender.split(separator: "@").first.map(String.init) ?? sender
        if local == "mailer-daemon" || local.hasPrefix("owner-") || local.hasSuffix("-request")
            || local == "listserv" || local == "majordomo"
        {
            return .suppress("the sender is a mailing list or mailer daemon")
        }
        let own = Set(([envelope.to] + environment.userAddresses + vacation.addresses).map { bare($0).lowercased() })
        if own.contains(sender) { return .suppress("the sender is one of the user's addresses") }
        let header = { (name: String) in message.values(name).map { String(decoding: $0, as: UTF8.self) }
        }
        if let auto = header("auto-submitted").first, auto.trimmingSpaces.lowercased().prefix(2) != "no" {
            return .suppress("the message is auto-submitted")
        }
        for name in [
            "list-id", "list-owner", "list-unsubscribe", "list-post", "list-help", "list-subscribe",
            "list-archive",
        ]
        where !header(name).isEmpty {
            return .suppress("the message comes from a mailing list")
        }
        if let precedence = header("precedence").first?.trimmingSpaces.lowercased(),
            ["bulk", "list", "junk"].contains(precedence)
        {
            return .suppress("the message has Precedence: \(precedence)")
        }
        // A Microsoft header, in no RFC: "All" or "OOF" in its comma-separated list asks for no
        // out-of-office reply (Pigeonhole honours it too).
        for value in header("x-auto-response-suppress") {
            let tokens = value.split(separator: ",").map { String($0).trimmingSpaces.lowercased() }
            if tokens.contains("all") || tokens.contains("oof") {
                return .suppress("the message has X-Auto-Response-Suppress: All or OOF")
            }
        }
        var recipients: Set<String> = []
        for name in ["to", "cc", "bcc", "resent-to", "resent-cc"] {
            for value in message.values(name) {
                let parts = SieveAddress.parts(of: String(decoding: value, as: UTF8.self), allCall)
                recipients.formUnion(parts.map { $0.lowercased() })
            }
        }
        guard !recipients.isDisjoint(with: own) else {
            return .suppress("none of the user's addresses is in To, Cc or Bcc")
        }
        return .send
    }

    private static let allCall = SieveCall(
        name: "address", tags: [:], positional: [], tests: [], block: nil, line: 0, column: 0)

    private static func bare(_ a: String) -> String {
        var s = a.trimmingSpaces
        if s.hasPrefix("<"), s.hasSuffix(">") { s = String(s.dropFirst().dropLast()) }
        return s
    }
}
