import IMAPWire
import MailStore

/// QUOTA (RFC 9208). Each account is one quota root, named "" (the empty string), holding all its
/// mailboxes; it exists while the account has a limit (a root without limits would have an empty
/// resource list, which the grammar does not allow). Resources: STORAGE (in units of 1024 octets, the
/// sum of the sizes of all the account's messages, every copy counted) and MESSAGE (their number).
/// An administrator (`SessionConfiguration.quotaAdmins`) may set limits, and may name another
/// account's root by the account's name.
extension IMAPSession {
    /// The name of the logged-in account's quota root.
    static let ownQuotaRoot = ""

    /// RFC 9208 §4.1.1: `* QUOTA` for the root, or NO [NONEXISTENT] when it does not exist.
    func getQuota(_ tag: String, root: String) async -> ResumeDirective {
        do {
            guard let target = await quotaTarget(root) else {
                tagged(tag, .no, code: .nonExistent, text: "No such quota root")
                return .next
            }
            let quota = try await store.quota(account: target)
            guard let response = Self.quotaResponse(root, quota) else {
                tagged(tag, .no, code: .nonExistent, text: "No limits apply, so there is no quota root")
                return .next
            }
            send(.quota(response))
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "GETQUOTA completed")
        } catch {
            fail(tag, error, command: "GETQUOTA")
        }
        return .next
    }

    /// RFC 9208 §4.1.2: the mailbox's quota roots (none when no limit applies) and each one's QUOTA.
    func getQuotaRoot(_ tag: String, _ wireName: IMAPWire.MailboxName) async -> ResumeDirective {
        do {
            let name = try storeName(wireName)
            guard let info = try await store.mailbox(account: accountID, name: name) else {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            let response = Self.quotaResponse(Self.ownQuotaRoot, try await store.quota(account: accountID))
            send(.quotaRoot(responseName(info.name), roots: response == nil ? [] : [Self.ownQuotaRoot]))
            if let response { send(.quota(response)) }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "GETQUOTAROOT completed")
        } catch {
            fail(tag, error, command: "GETQUOTAROOT")
        }
        return .next
    }

    /// RFC 9208 §4.1.3: the listed limits replace the root's (an empty list removes them all); only
    /// STORAGE and MESSAGE can be set. Administrators only: anyone else gets NO [NOPERM].
    func setQuota(_ tag: String, root: String, limits: [QuotaResourceLimit]) async -> ResumeDirective {
        guard let user = account, configuration.quotaAdmins.contains(user.name.lowercased()) else {
            tagged(tag, .no, code: .noPerm, text: "Only administrators may set quotas")
            return .next
        }
        var newLimits = QuotaLimits()
        for limit in limits {
            let value = Int64(clamping: limit.limit)
            switch limit.name {
            case "STORAGE":
                let (bytes, overflow) = value.multipliedReportingOverflow(by: 1024)
                newLimits.storageBytes = overflow ? Int64.max : bytes
            case "MESSAGE":
                newLimits.messages = value
            default:
                tagged(tag, .no, code: .cannot, text: "Unsupported quota resource \(limit.name)")
                return .next
            }
        }
        do {
            guard let target = await quotaTarget(root) else {
                tagged(tag, .no, code: .nonExistent, text: "No such quota root")
                return .next
            }
            try await store.setQuota(account: target, limits: newLimits)
            if let response = Self.quotaResponse(root, try await store.quota(account: target)) {
                send(.quota(response))
            }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "SETQUOTA completed")
        } catch {
            fail(tag, error, command: "SETQUOTA")
        }
        return .next
    }

    /// The account whose root `root` names: "" is the session's own; an administrator may name any
    /// account. Nil when there is no such root for this session.
    private func quotaTarget(_ root: String) async -> AccountID? {
        guard let user = account else { return nil }
        if root == Self.ownQuotaRoot { return user.account }
        guard configuration.quotaAdmins.contains(user.name.lowercased()) else { return nil }
        return await configuration.authenticator.account(named: root)
    }

    /// The QUOTA response of a root, or nil when no limit applies.
    static func quotaResponse(_ root: String, _ quota: AccountQuota) -> QuotaResponse? {
        var resources: [QuotaResource] = []
        if let limit = quota.limits.storageBytes {
            resources.append(
                QuotaResource(
                    name: "STORAGE", usage: kibibytes(quota.usedBytes), limit: UInt64(max(0, limit)) / 1024))
        }
        if let limit = quota.limits.messages {
            resources.append(
                QuotaResource(name: "MESSAGE", usage: UInt64(max(0, quota.usedMessages)), limit: UInt64(max(0, limit))))
        }
        return resources.isEmpty ? nil : QuotaResponse(root: root, resources: resources)
    }

    /// Bytes in units of 1024 octets, rounded up: a started unit is in use (RFC 9208 §5.1 STORAGE).
    static func kibibytes(_ bytes: Int64) -> UInt64 {
        UInt64(max(0, bytes)) / 1024 + (bytes % 1024 > 0 ? 1 : 0)
    }
}
