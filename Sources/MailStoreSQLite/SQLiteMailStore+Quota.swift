import GRDB
import MailStore

/// Quota (RFC 9208): usage is kept per mailbox by the schema's triggers (see `Schema`, v9); the checks
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
        let limits = try quotaLimits(db, account: account)
        let usage = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT coalesce(sum(used_bytes), 0) AS bytes, coalesce(sum(used_messages), 0) AS messages
                    FROM mailboxes WHERE account_id = ?
                    """), arguments: [account])
        return AccountQuota(
            usedBytes: usage?["bytes"] ?? 0, usedMessages: usage?["messages"] ?? 0, limits: limits.limits,
            isDefault: limits.isDefault)
    }

    /// The limits in force for the account (its own, or the default).
    static func quotaLimits(_ db: Database, account: AccountID) throws -> (limits: QuotaLimits, isDefault: Bool) {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT a.quota_own, a.quota_bytes, a.quota_messages, s.default_quota_bytes,
                            s.default_quota_messages
                        FROM accounts a, store_state s WHERE a.id = ? AND s.id = 1
                        """), arguments: [account])
        else { throw MailStoreError.accountNotFound }
        if (row["quota_own"] as Int64) != 0 {
            return (QuotaLimits(storageBytes: row["quota_bytes"], messages: row["quota_messages"]), false)
        }
        return (QuotaLimits(storageBytes: row["default_quota_bytes"], messages: row["default_quota_messages"]), true)
    }

    /// Throws `.overQuota` when adding `messages` messages of `bytes` bytes in all would take the
    /// account past a limit. Called in the transaction that then adds them.
    static func checkQuota(_ db: Database, account: AccountID, bytes: Int64, messages: Int64) throws {
        guard messages > 0, !(try quotaLimits(db, account: account).limits.isUnlimited) else { return }
        let quota = try quotaRow(db, account: account)
        guard quota.limits.admits(bytes: quota.usedBytes + bytes, messages: quota.usedMessages + messages) else {
            throw MailStoreError.overQuota
        }
    }
}
