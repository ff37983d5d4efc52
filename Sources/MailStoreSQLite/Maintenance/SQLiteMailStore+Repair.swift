import Foundation
import GRDB
import MailStore

/// The database repairs of `postern check --repair`, each one transaction through the store's writer
/// (so a running server is told of the mailboxes they change, like any tool's write).
extension SQLiteMailStore {
    /// Expunges messages whose content file is missing (a new MODSEQ and tombstones, like EXPUNGE).
    /// Only rows still referencing a missing file are removed. Returns the UIDs expunged.
    func expungeLostMessages(mailbox: MailboxID, uids: [UID]) async throws -> [UID] {
        let blobs = self.blobs
        return try await write("expunge lost messages") { db, effects in
            guard
                let highest = try Int64.fetchOne(
                    db, sql: "SELECT highestmodseq FROM mailboxes WHERE id = ?", arguments: [mailbox])
            else { return [] }
            var lost: [MessageRow] = []
            for uid in uids {
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT \(MessageRow.columns) FROM messages WHERE mailbox_id = ? AND uid = ?",
                        arguments: [mailbox, Int64(uid)]
                    ).map(MessageRow.init(row:)),
                    FileOperations.regularFileSize(blobs.path(of: row.blob)) == nil
                else { continue }
                lost.append(row)
            }
            guard !lost.isEmpty else { return [] }
            let modSeq = ModSeq(highest) + 1
            try Self.removeMessages(db, mailbox: mailbox, uids: lost.map(\.uid), modSeq: modSeq)
            try db.execute(
                sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", arguments: [Int64(modSeq), mailbox])
            effects.unlinkBlobs += try Self.unreferenced(db, Set(lost.map(\.blob)))
            effects.changedMailboxes.insert(mailbox)
            return lost.map(\.uid)
        }
    }

    /// Recomputes every mailbox's usage counters from its messages, raises UIDNEXT above every UID and
    /// HIGHESTMODSEQ to every MODSEQ (live or expunged), the store's last UIDVALIDITY to the largest in
    /// use, drops tombstones of UIDs that are live, and parse results of content nobody references.
    /// Returns the number of rows changed.
    func rebuildCounters() async throws -> Int {
        try await write("rebuild counters") { db, effects in
            var changed = 0
            try db.execute(
                sql: "DELETE FROM expunged WHERE (mailbox_id, uid) IN (SELECT mailbox_id, uid FROM messages)")
            changed += db.changesCount
            try db.execute(
                sql: """
                    UPDATE mailboxes SET
                        used_bytes = (SELECT coalesce(sum(size), 0) FROM messages WHERE mailbox_id = mailboxes.id),
                        used_messages = (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id),
                        uidnext = max(uidnext,
                            (SELECT coalesce(max(uid), 0) + 1 FROM messages WHERE mailbox_id = mailboxes.id),
                            (SELECT coalesce(max(uid), 0) + 1 FROM expunged WHERE mailbox_id = mailboxes.id)),
                        highestmodseq = max(highestmodseq,
                            (SELECT coalesce(max(modseq), 0) FROM messages WHERE mailbox_id = mailboxes.id),
                            (SELECT coalesce(max(modseq), 0) FROM expunged WHERE mailbox_id = mailboxes.id))
                    WHERE used_bytes <> (SELECT coalesce(sum(size), 0) FROM messages WHERE mailbox_id = mailboxes.id)
                        OR used_messages <> (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id)
                        OR uidnext <= (SELECT coalesce(max(uid), 0) FROM messages WHERE mailbox_id = mailboxes.id)
                        OR uidnext <= (SELECT coalesce(max(uid), 0) FROM expunged WHERE mailbox_id = mailboxes.id)
                        OR highestmodseq < (SELECT coalesce(max(modseq), 0) FROM messages WHERE mailbox_id = mailboxes.id)
                        OR highestmodseq < (SELECT coalesce(max(modseq), 0) FROM expunged WHERE mailbox_id = mailboxes.id)
                    """)
            if db.changesCount > 0 {
                changed += db.changesCount
                effects.changedMailboxes.formUnion(try MailboxID.fetchAll(db, sql: "SELECT id FROM mailboxes"))
            }
            try db.execute(
                sql: """
                    UPDATE store_state SET last_uidvalidity = (SELECT max(uidvalidity) FROM mailboxes)
                    WHERE last_uidvalidity < (SELECT max(uidvalidity) FROM mailboxes)
                    """)
            changed += db.changesCount
            try db.execute(sql: "DELETE FROM structures WHERE blob NOT IN (SELECT blob FROM messages)")
            changed += db.changesCount
            return changed
        }
    }
}
