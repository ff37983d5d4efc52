import GRDB
import MailStore

/// Quota (RFC 9208): usage is kept per account by the schema's triggers (see `Schema`, v9); the checks
/// run inside the write transactions of APPEND and COPY (see `checkQuota`).
extension SQLiteMailStore {
    public func quota(account: AccountID) async throws -> AccountQuota {
        try await read("read quota") { db in try Self.quotaRow(db, account: account) }
    }

    public func setQuota(account: AccountID, limits: QuotaLimits?) async throws {
        try await write("set quota") { db, _ in
            try db.cachedStatement(
                sql: "UPDATE accounts SET quota_own = ?, quota_bytes = ?, quota_messages = ? WHERE id = ?"
            ).execute(arguments: [limits == nil ? 0 : 1, limits?.storageBytes, limits?.messages, account])
            if db.changesCount == 0 { throw MailStoreError.accountNotFound }
        }
    }

    public func setDefaultQuota(_ limits: QuotaLimits) async throws {
        try await write("set default quota") { db, _ in
            try db.cachedStatement(
                sql: "UPDATE store_state SET default_quota_bytes = ?, default_quota_messages = ? WHERE id = 1"
            ).execute(arguments: [limits.storageBytes, limits.messages])
        }
    }

    static func quotaRow(_ db: Database, account: AccountID) throws -> AccountQuota {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT a.used_bytes, a.used_messages, a.quota_own, a.quota_bytes, a.quota_messages,
                            s.default_quota_bytes, s.default_quota_messages
                        FROM accounts a, store_state s WHERE a.id = ? AND s.id = 1
                        """), arguments: [account])
        else { throw MailStoreError.accountNotFound }
        let own = (row["quota_own"] as Int64) != 0
        let limits =
            own
            ? QuotaLimits(storageBytes: row["quota_bytes"], messages: row["quota_messages"])
            : QuotaLimits(storageBytes: row["default_quota_bytes"], messages: row["default_quota_messages"])
        return AccountQuota(
            usedBytes: row["used_bytes"], usedMessages: row["used_messages"], limits: limits, isDefault: !own)
    }

    /// Throws `.overQuota` when adding `messages` messages of `bytes` bytes in all would take the
    /// account past a limit. Called in the transaction that then adds them.
    static func checkQuota(_ db: Database, account: AccountID, bytes: Int64, messages: Int64) throws {
        guard messages > 0 else { return }
        let quota = try quotaRow(db, account: account)
        guard !quota.limits.isUnlimited else { return }
        guard quota.limits.admits(bytes: quota.usedBytes + bytes, messages: quota.usedMessages + messages) else {
            throw MailStoreError.overQuota
        }
    }
}
