import Foundation
import MailStore
import NIOCore
import PostgresNIO

/// Sort keys, per message (EMAILID) like its parse result: copies share them.
extension PostgresMailStore {
    /// One read over the span of `uids`, filtered here.
    public func sortKeys(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [UID: SortKeyData] {
        try await read("read sort keys") { tx in
            _ = try await tx.selectable(account, mailbox)
            guard let first = uids.ranges.first, let last = uids.ranges.last else { return [:] }
            var found: [UID: SortKeyData] = [:]
            for row in try await tx.rows(
                """
                SELECT m.uid, k.version, k.data
                FROM messages m JOIN sort_keys k ON k.email_id = m.email_id
                WHERE m.mailbox_id = \(mailbox)
                    AND m.uid BETWEEN \(Int64(first.lowerBound)) AND \(Int64(last.upperBound))
                """)
            {
                let (uid, version, data) = try row.decode((Int64, Int32, ByteBuffer).self)
                let messageUID = UID(truncatingIfNeeded: uid)
                guard uids.contains(messageUID) else { continue }
                found[messageUID] = SortKeyData(version: Int(version), data: Array(data.readableBytesView))
            }
            return found
        }
    }

    /// Keeps the keys of the messages still in the mailbox, in one transaction.
    public func setSortKeys(account: AccountID, mailbox: MailboxID, _ keys: [UID: SortKeyData]) async throws {
        guard !keys.isEmpty else { return }
        try await write("store sort keys") { tx in
            _ = try await tx.selectable(account, mailbox)
            for (uid, value) in keys {
                try await tx.rows(
                    """
                    INSERT INTO sort_keys (email_id, version, data)
                    SELECT email_id, \(Int32(value.version)), \(PGBytes.buffer(value.data))
                    FROM messages WHERE mailbox_id = \(mailbox) AND uid = \(Int64(uid))
                    ON CONFLICT (email_id) DO UPDATE SET version = excluded.version, data = excluded.data
                    """)
            }
        }
    }
}
