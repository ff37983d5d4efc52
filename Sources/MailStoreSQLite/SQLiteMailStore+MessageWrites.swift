import Foundation
import GRDB
import MailStore

extension SQLiteMailStore {
    public func append(
        account: AccountID, mailbox: MailboxID, message: StagedMessage, flags: MessageFlags, internalDate: Date
    ) async throws -> AppendResult {
        let blobs = self.blobs
        // The content is durable (file fsynced, rename fsynced) before any transaction refers to it.
        let placed: (id: String, size: Int)
        do {
            placed = try await guarded("append") { try await offloaded { try blobs.place(message) } }
        } catch {
            message.discard()
            throw error
        }
        let flags = flags.normalized
        let date = internalDate.timeIntervalSince1970
        do {
            return try await write("append") { db, _ in
                let row = try Self.selectableMailbox(db, account: account, id: mailbox)
                guard row.uidNext < UID.max else { throw MailStoreError.internal("UID space exhausted") }
                let modSeq = row.highestModSeq + 1
                try db.execute(
                    sql: """
                        INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, size, blob)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        mailbox, Int64(row.uidNext), Int64(modSeq), flags.system.rawValue, FlagCoding.keywords(flags),
                        date, placed.size, placed.id,
                    ])
                try db.execute(
                    sql: "UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?",
                    arguments: [Int64(row.uidNext) + 1, Int64(modSeq), mailbox])
                return AppendResult(uidValidity: row.uidValidity, uid: row.uidNext)
            }
        } catch let error as MailStoreError {
            // A refused append never referenced the file: remove it now. After an internal error the
            // commit outcome may be unknown, so the file is left for recovery on the next open.
            if case .internal = error {} else { blobs.remove([placed.id]) }
            throw error
        }
    }

    public func store(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, operation: FlagOperation, flags: MessageFlags,
        unchangedSince: ModSeq?
    ) async throws -> (updated: [FlagUpdate], modified: [UID]) {
        let result = try await write("store") { db, _ -> StoreOutcome in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let newModSeq = row.highestModSeq + 1
            var outcome = StoreOutcome()
            var changed = false
            for message in try Self.messageRows(db, mailbox: mailbox, uids: uids) {
                if let limit = unchangedSince, message.modSeq > limit {
                    outcome.modified.append(message.uid)
                    continue
                }
                let newFlags = message.flags.applying(operation, flags)
                if newFlags == message.flags {
                    outcome.updated.append(FlagUpdate(uid: message.uid, modSeq: message.modSeq, flags: message.flags))
                    continue
                }
                changed = true
                try db.execute(
                    sql: "UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?",
                    arguments: [
                        newFlags.system.rawValue, FlagCoding.keywords(newFlags), Int64(newModSeq), mailbox,
                        Int64(message.uid),
                    ])
                outcome.updated.append(FlagUpdate(uid: message.uid, modSeq: newModSeq, flags: newFlags))
            }
            if changed {
                try db.execute(
                    sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", arguments: [Int64(newModSeq), mailbox])
            }
            return outcome
        }
        return (result.updated, result.modified)
    }

    public func copy(account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID) async throws -> CopyResult {
        try await write("copy") { db, _ in
            _ = try Self.selectableMailbox(db, account: account, id: from)
            let target = try Self.selectableMailbox(db, account: account, id: to)
            let rows = try Self.messageRows(db, mailbox: from, uids: uids)
            guard !rows.isEmpty else { return CopyResult(uidValidity: target.uidValidity, pairs: []) }
            guard UInt64(target.uidNext) + UInt64(rows.count) <= UInt64(UID.max) else {
                throw MailStoreError.internal("UID space exhausted")
            }
            let modSeq = target.highestModSeq + 1
            var uid = target.uidNext
            var pairs: [(source: UID, destination: UID)] = []
            pairs.reserveCapacity(rows.count)
            for row in rows {
                try db.execute(
                    sql: """
                        INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, size, blob)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        to, Int64(uid), Int64(modSeq), row.flags.system.rawValue, FlagCoding.keywords(row.flags),
                        row.internalDate, row.size, row.blob,
                    ])
                pairs.append((row.uid, uid))
                uid += 1
            }
            try db.execute(
                sql: "UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?",
                arguments: [Int64(uid), Int64(modSeq), to])
            return CopyResult(uidValidity: target.uidValidity, pairs: pairs)
        }
    }

    public func expunge(account: AccountID, mailbox: MailboxID, uids: UIDSet?) async throws -> [UID] {
        try await write("expunge") { db, effects in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let deleted = try Row.fetchAll(
                db,
                sql: """
                    SELECT uid, blob FROM messages
                    WHERE mailbox_id = ? AND (flags & \(SystemFlags.deleted.rawValue)) != 0 ORDER BY uid
                    """, arguments: [mailbox]
            ).compactMap { row -> (uid: UID, blob: String)? in
                let uid = UID(truncatingIfNeeded: row["uid"] as Int64)
                if let uids, !uids.contains(uid) { return nil }
                return (uid, row["blob"])
            }
            guard !deleted.isEmpty else { return [] }
            let modSeq = row.highestModSeq + 1
            for message in deleted {
                try db.execute(
                    sql: "DELETE FROM messages WHERE mailbox_id = ? AND uid = ?", arguments: [mailbox, Int64(message.uid)])
                try db.execute(
                    sql: "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)",
                    arguments: [mailbox, Int64(message.uid), Int64(modSeq)])
            }
            try db.execute(
                sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", arguments: [Int64(modSeq), mailbox])
            effects.unlinkBlobs += try Self.unreferenced(db, Set(deleted.map(\.blob)))
            return deleted.map(\.uid)
        }
    }
}

private struct StoreOutcome: Sendable {
    var updated: [FlagUpdate] = []
    var modified: [UID] = []
}
