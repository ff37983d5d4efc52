import Foundation
import GRDB
import MailStore

/// Sort keys in the `sort_keys` table (schema v14): per message, keyed by `mailbox_id << 32 | uid`.
extension SQLiteMailStore {
    /// One key-range read per UID range (`selectByUID`), in key order.
    public func sortKeys(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [UID: SortKeyData] {
        try await read("sort keys", rows: uids.count, isolated: false) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            let found = try Self.selectByUID(
                db, mailbox: mailbox, uids: uids,
                sql: """
                    SELECT key & 4294967295, version, data
                    FROM sort_keys WHERE key BETWEEN (?1 << 32) | ?2 AND (?1 << 32) | ?3 ORDER BY key
                    """
            ) { row in
                let data = try row.withUnsafeData(atIndex: 2) { data in
                    data.map { bytes in bytes.withUnsafeBytes { [UInt8]($0) } } ?? []
                }
                return (UID(truncatingIfNeeded: row[0] as Int64), SortKeyData(version: row[1], data: data))
            }
            return Dictionary(found, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Keeps the keys of the messages still in the mailbox, in one transaction.
    public func setSortKeys(account: AccountID, mailbox: MailboxID, _ keys: [UID: SortKeyData]) async throws {
        guard !keys.isEmpty else { return }
        try await write("set sort keys") { db, _ in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM messages WHERE mailbox_id = ? AND uid = ?")
            let insert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO sort_keys (key, version, data) VALUES ((? << 32) | ?, ?, ?)")
            for (uid, value) in keys {
                guard try Bool.fetchOne(exists, arguments: [mailbox, Int64(uid)]) != nil else { continue }
                try insert.execute(arguments: [mailbox, Int64(uid), value.version, Data(value.data)])
            }
        }
    }
}
