import Foundation
import GRDB
import MailStore

extension SQLiteMailStore {
    public func status(account: AccountID, mailbox: MailboxID) async throws -> MailboxStatus {
        try await read("status") { db in
            let mailbox = try Self.selectableMailbox(db, account: account, id: mailbox)
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS messages,
                           COALESCE(SUM((flags & \(SystemFlags.seen.rawValue)) = 0), 0) AS unseen,
                           COALESCE(SUM(uid >= ?), 0) AS recent,
                           COALESCE(SUM(size), 0) AS size
                    FROM messages WHERE mailbox_id = ?
                    """, arguments: [Int64(mailbox.firstRecentUID), mailbox.id])!
            return MailboxStatus(
                messages: row["messages"], unseen: row["unseen"], recent: row["recent"], uidNext: mailbox.uidNext,
                uidValidity: mailbox.uidValidity, highestModSeq: mailbox.highestModSeq, size: row["size"])
        }
    }

    public func snapshot(account: AccountID, mailbox: MailboxID, markRecentSeen: Bool) async throws -> MailboxSnapshot {
        let plain = try await read("snapshot") { db -> (MailboxSnapshot, hasRecent: Bool) in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let snapshot = MailboxSnapshot(info: row.info, uids: try Self.allUIDs(db, mailbox: mailbox), recentUIDs: [])
            return (snapshot, row.firstRecentUID < row.uidNext)
        }
        if !markRecentSeen || !plain.hasRecent { return plain.0 }
        // Claiming the recent messages is a write: only one session gets them.
        return try await write("snapshot") { db, _ in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let uids = try Self.allUIDs(db, mailbox: mailbox)
            let recent = uids.filter { $0 >= row.firstRecentUID }
            if row.firstRecentUID < row.uidNext {
                try db.execute(
                    sql: "UPDATE mailboxes SET first_recent_uid = uidnext WHERE id = ?", arguments: [mailbox])
            }
            return MailboxSnapshot(info: row.info, uids: uids, recentUIDs: recent)
        }
    }

    public func claimRecent(account: AccountID, mailbox: MailboxID, through: UID) async throws -> ClosedRange<UID>? {
        try await write("claimrecent") { db, _ in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let first = row.firstRecentUID
            guard first <= through, through < UID.max else { return nil }
            try db.execute(
                sql: "UPDATE mailboxes SET first_recent_uid = ? WHERE id = ?", arguments: [Int64(through) + 1, mailbox])
            return first...through
        }
    }

    public func highestModSeq(account: AccountID, mailbox: MailboxID) async throws -> ModSeq? {
        try await read("highestmodseq") { db in
            try Int64.fetchOne(
                db, sql: "SELECT highestmodseq FROM mailboxes WHERE id = ? AND account_id = ?",
                arguments: [mailbox, account]
            ).map { ModSeq($0) }
        }
    }

    public func syncState(
        account: AccountID, mailbox: MailboxID
    ) async throws
        -> (uidValidity: UIDValidity, highestModSeq: ModSeq)?
    {
        try await read("syncstate") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT uidvalidity, highestmodseq, noselect FROM mailboxes WHERE id = ? AND account_id = ?",
                    arguments: [mailbox, account])
            else { return nil }
            let noSelect: Int64 = row[2]
            guard noSelect == 0 else { return nil }
            let validity: Int64 = row[0]
            let highest: Int64 = row[1]
            return (UIDValidity(truncatingIfNeeded: validity), ModSeq(highest))
        }
    }

    public func changes(account: AccountID, mailbox: MailboxID, since: ModSeq) async throws -> MailboxChanges {
        let since = Int64(clamping: since)
        return try await read("changes") { db in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let changed = try Row.fetchAll(
                db,
                sql: "SELECT \(MessageRow.columns) FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid",
                arguments: [mailbox, since]
            ).map { MessageRow(row: $0).meta }
            let expunged = try Int64.fetchAll(
                db, sql: "SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid",
                arguments: [mailbox, since]
            ).map { UID(truncatingIfNeeded: $0) }
            return MailboxChanges(
                highestModSeq: row.highestModSeq, uidNext: row.uidNext, changed: changed, expunged: expunged)
        }
    }

    public func messages(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [MessageMeta] {
        try await read("messages") { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            return try Self.messageRows(db, mailbox: mailbox, uids: uids).map(\.meta)
        }
    }

    public func content(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> Data? {
        let blob = try await read("content") { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            return try String.fetchOne(
                db, sql: "SELECT blob FROM messages WHERE mailbox_id = ? AND uid = ?",
                arguments: [mailbox, Int64(uid)])
        }
        guard let blob else { return nil }
        let blobs = self.blobs
        do {
            return try await offloaded { try blobs.read(blob) }
        } catch {
            // An expunge may have committed and unlinked the file since the row was read.
            let stillThere = try await read("content") { db in
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM messages WHERE mailbox_id = ? AND uid = ?",
                    arguments: [mailbox, Int64(uid)]
                ) != nil
            }
            if !stillThere { return nil }
            return try await guarded("content") { throw error }
        }
    }

    static func allUIDs(_ db: Database, mailbox: MailboxID) throws -> [UID] {
        try Int64.fetchAll(db, sql: "SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid", arguments: [mailbox])
            .map { UID(truncatingIfNeeded: $0) }
    }
}
