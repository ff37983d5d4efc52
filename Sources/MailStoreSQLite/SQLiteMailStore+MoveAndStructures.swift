import Foundation
import GRDB
import MailStore

extension SQLiteMailStore {
    /// MOVE / UID MOVE (RFC 6851 §3.3), in one transaction: the messages are copied into `to` (new UIDs
    /// from its UIDNEXT, ascending in source order; flags, internal date and content kept, so the
    /// EMAILID stays (RFC 8474 §5.1); SAVEDATE is now, RFC 8514) and removed from `from` with
    /// tombstones carrying a new MODSEQ of the source (RFC 7162 §3.2.10). Missing UIDs are skipped.
    ///
    /// The account's usage does not change, so MOVE is never refused for quota.
    ///
    /// `from == to` is allowed, as RFC 6851 does not forbid it: the messages are renumbered (new UIDs
    /// at the end, old UIDs expunged) and new rows and tombstones share one new MODSEQ.
    public func move(
        account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID
    ) async throws
        -> (copied: CopyResult, expunged: [UID])
    {
        let outcome = try await write("move") { db, effects -> MoveOutcome in
            let source = try Self.selectableMailbox(db, account: account, id: from)
            let target = try Self.selectableMailbox(db, account: account, id: to)
            let rows = try Self.messageRows(db, mailbox: from, uids: uids)
            guard !rows.isEmpty else {
                return MoveOutcome(copied: CopyResult(uidValidity: target.uidValidity, pairs: []), expunged: [])
            }
            let pairs = try Self.insertCopies(db, rows, into: target)
            // Same mailbox: `insertCopies` already raised its HIGHESTMODSEQ; the tombstones share it.
            let sourceModSeq = from == to ? target.highestModSeq + 1 : source.highestModSeq + 1
            let moved = rows.map(\.uid)
            self.retainRemoved(account: account, mailbox: from, rows: rows, modSeq: sourceModSeq)
            try Self.removeMessages(db, mailbox: from, uids: moved, modSeq: sourceModSeq)
            try db.cachedStatement(sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?").execute(
                arguments: [Int64(sourceModSeq), from])
            // The content stays referenced by the new rows: nothing to unlink.
            effects.changedMailboxes.formUnion([from, to])
            return MoveOutcome(copied: CopyResult(uidValidity: target.uidValidity, pairs: pairs), expunged: moved)
        }
        return (outcome.copied, outcome.expunged)
    }

    /// Stored parse results of the messages of `uids` that have one. Parse results belong to the
    /// content, so copies share them. Range queries on the primary key joined to `structures`.
    public func structures(
        account: AccountID, mailbox: MailboxID, uids: UIDSet
    ) async throws
        -> [UID: MessageStructure]
    {
        try await read("structures", rows: uids.count, isolated: false) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            let found = try Self.selectByUID(
                db, mailbox: mailbox, uids: uids,
                sql: """
                    SELECT m.uid, s.version, s.data, s.rendered_version, s.envelope, s.body, s.bodystructure
                    FROM messages m JOIN structures s ON s.blob = m.blob
                    WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid
                    """
            ) { row in
                func bytes(_ index: Int) throws -> [UInt8] {
                    try row.withUnsafeData(atIndex: index) { data in
                        data.map { bytes in bytes.withUnsafeBytes { [UInt8]($0) } } ?? []
                    }
                }
                var derived: DerivedTexts?
                if let version = row[3] as Int? {
                    derived = DerivedTexts(version: version, texts: [try bytes(4), try bytes(5), try bytes(6)])
                }
                return (
                    UID(truncatingIfNeeded: row[0] as Int64),
                    MessageStructure(version: row[1], data: try bytes(2), derived: derived)
                )
            }
            return Dictionary(found, uniquingKeysWith: { first, _ in first })
        }
    }

    /// From the `renderings` table (schema v5; its three text columns, named after what the IMAP
    /// session keeps in them, are the three `DerivedTexts`): key ranges read in key order
    /// (`selectByUID`'s mailbox, first and last UID make the key bounds), copied straight into one buffer.
    public func derivedTexts(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> DerivedTextsBatch {
        try await read("renderings", rows: uids.count, isolated: false) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            var batch = DerivedTextsBatch()
            batch.ranges.reserveCapacity(min(uids.count, 1024) * DerivedTexts.count)
            batch.bytes.reserveCapacity(min(uids.count, 1024) * 1024)
            _ = try Self.selectByUID(
                db, mailbox: mailbox, uids: uids,
                sql: """
                    SELECT key & 4294967295, structure_version, version, envelope, body, bodystructure
                    FROM renderings WHERE key BETWEEN (?1 << 32) | ?2 AND (?1 << 32) | ?3 ORDER BY key
                    """
            ) { row in
                batch.beginEntry(
                    uid: UID(truncatingIfNeeded: row[0] as Int64), structureVersion: row[1], version: row[2])
                for index in 3..<3 + DerivedTexts.count {
                    try row.withUnsafeData(atIndex: index) { data in
                        if let data { data.withUnsafeBytes { batch.appendText($0) } } else { batch.appendText([]) }
                    }
                }
            }
            return batch
        }
    }

    /// Stores (or replaces) a message's parse result. Derived data: no MODSEQ change and nothing is
    /// published. It is kept per content, so copies of the message see it too. A UID that is not (or
    /// no longer) in the mailbox is ignored: the message may have been expunged since it was parsed.
    public func setStructure(
        account: AccountID, mailbox: MailboxID, uid: UID, structure: MessageStructure
    )
        async throws
    {
        try await write("set structure") { db, _ in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            guard
                let blob = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT blob FROM messages WHERE mailbox_id = ? AND uid = ?"),
                    arguments: [mailbox, Int64(uid)])
            else { return }
            try Self.saveStructure(db, blob: blob, structure)
        }
    }
}

private struct MoveOutcome: Sendable {
    var copied: CopyResult
    var expunged: [UID]
}
