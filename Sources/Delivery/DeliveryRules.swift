/// How a recipient address names accounts: local domains, `user+detail` and aliases. Pure.
///
/// - Local parts match account names case-insensitively (account names are case-insensitive).
/// - `localDomains` empty: every domain is ours (the MTA in front decides what is local); otherwise
///   an address in another domain is refused (550 5.1.2). A bare local part is always ours.
/// - `recipientDelimiter` (default `+`): `user+detail@` goes to account `user`, into the folder
///   `detail` when it exists, else INBOX (RFC 5233 §2 names the parts). Empty: no detail.
/// - `aliases`: an alias (a local part, or a whole address for one domain only) names one or more
///   accounts; its targets are account names, never other aliases, so aliases cannot loop. An alias
///   is looked up before the detail is split off, and again without it (`sales+x` uses `sales`).
public struct DeliveryRules: Sendable, Equatable {
    public var localDomains: Set<String> = []
    public var recipientDelimiter = "+"
    /// Keys lowercased: `local` or `local@domain`.
    public private(set) var aliases: [String: [String]] = [:]

    /// Largest number of accounts one alias may name.
    public static let maxAliasTargets = 100

    public init() {}

    public mutating func setLocalDomains(_ domains: [String]) {
        localDomains = Set(domains.map { $0.lowercased() })
    }

    public mutating func addAlias(_ alias: String, targets: [String]) {
        aliases[alias.lowercased()] = Array(targets.prefix(Self.maxAliasTargets))
    }

    /// Where one address leads.
    public enum Route: Sendable, Equatable {
        /// These accounts (by name), and the detail's folder if any.
        case accounts([String], detail: String?)
        case foreignDomain
    }

    public func route(localPart: String, domain: String?) -> Route {
        let domain = domain?.lowercased()
        if let domain, !localDomains.isEmpty, !localDomains.contains(domain), !domain.hasPrefix("[") {
            return .foreignDomain
        }
        let local = localPart.lowercased()
        if let targets = alias(local, domain) { return .accounts(targets, detail: nil) }
        var user = localPart
        var detail: String?
        if !recipientDelimiter.isEmpty, let range = localPart.range(of: recipientDelimiter) {
            user = String(localPart[..<range.lowerBound])
            let rest = String(localPart[range.upperBound...])
            detail = rest.isEmpty ? nil : rest
            if let targets = alias(user.lowercased(), domain) { return .accounts(targets, detail: detail) }
        }
        return .accounts([user], detail: detail)
    }

    private func alias(_ local: String, _ domain: String?) -> [String]? {
        if let domain, let targets = aliases["\(local)@\(domain)"] { return targets }
        return aliases[local]
    }
}
