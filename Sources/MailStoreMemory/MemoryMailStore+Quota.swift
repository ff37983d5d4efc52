import MailStore

/// Quota (RFC 9208): usage is summed over the account's mailboxes whenever it is needed, under the
/// store's lock, so it is exact by construction (this engine is for tests; the SQLite engine keeps
/// running totals).
extension MemoryMailStore {
    public func quota(account: AccountID) async throws -> AccountQuota {
        try read { state in try state.quota(of: account) }
    }

    public func setQuota(account: AccountID, limits: QuotaLimits?) async throws {
        try change { state, _ in
            guard state.accounts[account] != nil else { throw MailStoreError.accountNotFound }
            state.accounts[account]?.quota = limits
        }
    }

    public func setDefaultQuota(_ limits: QuotaLimits) async throws {
        try change { state, _ in state.defaultQuota = limits }
    }
}

extension MemoryState {
    func quota(of account: AccountID) throws -> AccountQuota {
        guard let owner = accounts[account] else { throw MailStoreError.accountNotFound }
        var bytes: Int64 = 0
        var count: Int64 = 0
        for mailbox in mailboxes.values where mailbox.account == account {
            count += Int64(mailbox.messages.count)
            for message in mailbox.messages { bytes += Int64(message.size) }
        }
        return AccountQuota(
            usedBytes: bytes, usedMessages: count, limits: owner.quota ?? defaultQuota, isDefault: owner.quota == nil)
    }

    /// Throws `.overQuota` when adding `messages` messages of `bytes` bytes would take the account
    /// past a limit.
    func checkQuota(_ account: AccountID, bytes: Int64, messages: Int64) throws {
        guard messages > 0 else { return }
        let quota = try quota(of: account)
        guard quota.limits.admits(bytes: quota.usedBytes + bytes, messages: quota.usedMessages + messages) else {
            throw MailStoreError.overQuota
        }
    }
}
