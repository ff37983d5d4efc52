import Foundation
import MailStore
import PostgresNIO

/// Lookups and changes shared by the store's calls, always inside a transaction.
extension Transaction {
    /// The row lock a writer takes on what it reads (`FOR NO KEY UPDATE`: inserts that reference the
    /// row through a foreign key do not wait for it), or nothing.
    static func lockClause(_ lock: Bool) -> String { lock ? "FOR NO KEY UPDATE" : "" }

    /// The mailbox `id` of `account` (another account's mailbox is missing, like one that never was);
    /// `lock`: its row is locked until commit (a writer that allocates UIDs or a MODSEQ from it).
    func mailbox(_ account: AccountID, _ id: MailboxID, lock: Bool = false) async throws -> PGMailbox {
        guard
            let row = try await row(
                """
                SELECT \(unescaped: PGMailbox.columns) FROM mailboxes WHERE id = \(id) AND account_id = \(account)
                \(unescaped: Self.lockClause(lock))
                """)
        else { throw MailStoreError.mailboxNotFound }
        return try PGMailbox(row: row)
    }

    /// The mailbox, which must be selectable (not a \Noselect placeholder).
    func selectable(_ account: AccountID, _ id: MailboxID, lock: Bool = false) async throws -> PGMailbox {
        let mailbox = try await mailbox(account, id, lock: lock)
        if mailbox.isNoSelect { throw MailStoreError.noSelect }
        return mailbox
    }

    /// Locks the mailboxes of `ids` in ascending id order (so two writers never wait for each other in
    /// a cycle) and returns them selectable, by id.
    func lockSelectable(_ account: AccountID, _ ids: [MailboxID]) async throws -> [MailboxID: PGMailbox] {
        var found: [MailboxID: PGMailbox] = [:]
        for id in Set(ids).sorted() { found[id] = try await selectable(account, id, lock: true) }
        return found
    }

    /// The mailbox called `name` (already normalized) of `account`, or nil.
    func mailbox(_ account: AccountID, named name: String, lock: Bool = false) async throws -> PGMailbox? {
        try await row(
            """
            SELECT \(unescaped: PGMailbox.columns) FROM mailboxes WHERE account_id = \(account) AND name = \(name)
            \(unescaped: Self.lockClause(lock))
            """
        ).map(PGMailbox.init(row:))
    }

    func requireAccount(_ account: AccountID) async throws {
        guard try await row("SELECT 1 FROM accounts WHERE id = \(account)") != nil else {
            throw MailStoreError.accountNotFound
        }
    }

    /// The account called `name`, matched case-insensitively, or nil.
    func accountID(named name: String, lock: Bool = false) async throws -> AccountID? {
        try await row(
            "SELECT id FROM accounts WHERE lower(name) = lower(\(name)) \(unescaped: Self.lockClause(lock))"
        )?.decode(Int64.self)
    }

    /// The next UIDVALIDITY: max(now, largest ever given + 1), database-wide (the row lock on
    /// `store_state` orders nodes), so a value once given is never given again.
    func nextUIDValidity(_ account: AccountID) async throws -> UIDValidity {
        try await requireAccount(account)
        let now = Int64(Date().timeIntervalSince1970)
        guard
            let next = try await row(
                """
                UPDATE store_state SET last_uidvalidity = greatest(\(now), last_uidvalidity + 1)
                RETURNING last_uidvalidity
                """)?.decode(Int64.self)
        else { throw MailStoreError.internal("store_state row missing") }
        guard next <= Int64(UInt32.max) else { throw MailStoreError.internal("UIDVALIDITY space exhausted") }
        return UIDValidity(next)
    }

    @discardableResult
    func insertMailbox(_ account: AccountID, name: String, specialUse: SpecialUse?) async throws -> PGMailbox {
        let validity = Int64(try await nextUIDValidity(account))
        guard
            let row = try await row(
                """
                INSERT INTO mailboxes (account_id, name, uidvalidity, special_use)
                VALUES (\(account), \(name), \(validity), \(specialUse?.rawValue))
                RETURNING \(unescaped: PGMailbox.columns)
                """)
        else { throw MailStoreError.internal("mailbox insert returned nothing") }
        return try PGMailbox(row: row)
    }

    func createMissingAncestors(_ account: AccountID, of name: String) async throws {
        for ancestor in MailboxPath.ancestors(of: name) where try await mailbox(account, named: ancestor) == nil {
            try await insertMailbox(account, name: ancestor, specialUse: nil)
        }
    }

    func hasChildren(_ account: AccountID, _ name: String) async throws -> Bool {
        try await row(
            "SELECT 1 FROM mailboxes WHERE account_id = \(account) AND starts_with(name, \(name + "/")) LIMIT 1")
            != nil
    }

    /// Removes \Noselect ancestors of `name` that no longer have children, innermost first. Returns
    /// the ids removed.
    func removeEmptyPlaceholders(_ account: AccountID, above name: String) async throws -> [MailboxID] {
        var removed: [MailboxID] = []
        for ancestor in MailboxPath.ancestors(of: name).reversed() {
            guard let mailbox = try await mailbox(account, named: ancestor), mailbox.isNoSelect,
                try await !hasChildren(account, ancestor)
            else { break }
            try await rows("DELETE FROM mailboxes WHERE id = \(mailbox.id)")
            removed.append(mailbox.id)
        }
        return removed
    }

    /// Throws `.overQuota` when adding `messages` messages of `bytes` bytes would take the account past
    /// a limit. With limits in force the account row is locked first, so that concurrent writers of
    /// one account check one after the other against exact usage.
    func checkQuota(_ account: AccountID, bytes: Int64, messages: Int64) async throws {
        guard messages > 0 else { return }
        let limits = try await quotaLimits(account, lock: false)
        guard !limits.limits.isUnlimited else { return }
        _ = try await quotaLimits(account, lock: true)
        let (usedBytes, usedMessages) = try await usage(account)
        guard limits.limits.admits(bytes: usedBytes + bytes, messages: usedMessages + messages) else {
            throw MailStoreError.overQuota
        }
    }

    /// The limits in force for the account and whether they are the store's default.
    func quotaLimits(_ account: AccountID, lock: Bool) async throws -> (limits: QuotaLimits, isDefault: Bool) {
        let query: PostgresQuery =
            lock
            ? """
            SELECT a.quota_own, a.quota_bytes, a.quota_messages, s.default_quota_bytes, s.default_quota_messages
            FROM accounts a, store_state s WHERE a.id = \(account) FOR NO KEY UPDATE OF a
            """
            : """
            SELECT a.quota_own, a.quota_bytes, a.quota_messages, s.default_quota_bytes, s.default_quota_messages
            FROM accounts a, store_state s WHERE a.id = \(account)
            """
        guard let row = try await row(query) else { throw MailStoreError.accountNotFound }
        let (own, bytes, messages, defaultBytes, defaultMessages) = try row.decode(
            (Bool, Int64?, Int64?, Int64?, Int64?).self)
        return own
            ? (QuotaLimits(storageBytes: bytes, messages: messages), false)
            : (QuotaLimits(storageBytes: defaultBytes, messages: defaultMessages), true)
    }

    /// The account's usage: the sum over its mailboxes' counters.
    func usage(_ account: AccountID) async throws -> (bytes: Int64, messages: Int64) {
        guard
            let row = try await row(
                """
                SELECT coalesce(sum(used_bytes), 0)::bigint, coalesce(sum(used_messages), 0)::bigint
                FROM mailboxes WHERE account_id = \(account)
                """)
        else { return (0, 0) }
        return try row.decode((Int64, Int64).self)
    }

    /// The messages of `uids` in the mailbox, ascending. A few ranges go by range on the primary key;
    /// a set of many ranges is read over its span and filtered here.
    func messages(_ mailbox: MailboxID, _ uids: UIDSet, extraColumns: String = "") async throws -> [PostgresRow] {
        guard let first = uids.ranges.first, let last = uids.ranges.last else { return [] }
        let columns = PGMessage.columns + extraColumns
        if uids.ranges.count <= 32 {
            var found: [PostgresRow] = []
            for range in uids.ranges {
                found += try await rows(
                    """
                    SELECT \(unescaped: columns) FROM messages WHERE mailbox_id = \(mailbox)
                    AND uid BETWEEN \(Int64(range.lowerBound)) AND \(Int64(range.upperBound)) ORDER BY uid
                    """)
            }
            return found
        }
        let all = try await rows(
            """
            SELECT \(unescaped: columns) FROM messages WHERE mailbox_id = \(mailbox)
            AND uid BETWEEN \(Int64(first.lowerBound)) AND \(Int64(last.upperBound)) ORDER BY uid
            """)
        return try all.filter { uids.contains(UID(truncatingIfNeeded: try $0.decode(Int64.self))) }
    }
}
