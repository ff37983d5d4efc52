import Foundation
import MailStore
import PostgresNIO

/// The row changes that COPY, MOVE, EXPUNGE and RENAME INBOX share, inside a transaction that holds
/// the lock of every mailbox it changes.
extension Transaction {
    /// Copies the messages of `uids` (present in `source`, ascending) into `target` with new UIDs from
    /// its UIDNEXT, ascending in the same order, one new MODSEQ, their flags, internal dates, content
    /// and EMAILID, and SAVEDATE now. Raises the target's UIDNEXT and HIGHESTMODSEQ. Returns (source UID,
    /// new UID) pairs.
    func insertCopies(
        from source: MailboxID, uids: [Int64], into target: PGMailbox
    ) async throws
        -> [(source: UID, destination: UID)]
    {
        guard UInt64(target.uidNext) + UInt64(uids.count) <= UInt64(UID.max) else {
            throw MailStoreError.internal("UID space exhausted")
        }
        let start = Int64(target.uidNext)
        let modSeq = Int64(target.highestModSeq + 1)
        let inserted = try await rows(
            """
            INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, internal_zone,
                save_date, size, content_id, email_id)
            SELECT \(target.id), \(start) + s.ord - 1, \(modSeq), m.flags, m.keywords, m.internal_date,
                m.internal_zone, \(Date().stored), m.size, m.content_id, m.email_id
            FROM unnest(\(uids)::bigint[]) WITH ORDINALITY AS s(uid, ord)
            JOIN messages m ON m.mailbox_id = \(source) AND m.uid = s.uid
            RETURNING 1
            """)
        guard inserted.count == uids.count else { throw MailStoreError.internal("copy: source messages changed") }
        try await rows(
            """
            UPDATE mailboxes SET uidnext = \(start + Int64(uids.count)), highestmodseq = \(modSeq)
            WHERE id = \(target.id)
            """)
        changed.insert(target.id)
        return uids.enumerated().map {
            (UID(truncatingIfNeeded: $0.element), UID(truncatingIfNeeded: start + Int64($0.offset)))
        }
    }

    /// Removes the messages of `uids` (which must be present) and leaves their tombstones with
    /// `modSeq`; raises HIGHESTMODSEQ to it. Content references go with the rows (triggers).
    func removeMessages(_ mailbox: MailboxID, uids: [Int64], modSeq: ModSeq) async throws {
        try await rows("DELETE FROM messages WHERE mailbox_id = \(mailbox) AND uid = ANY(\(uids)::bigint[])")
        try await rows(
            """
            INSERT INTO expunged (mailbox_id, uid, modseq)
            SELECT \(mailbox), u, \(Int64(modSeq)) FROM unnest(\(uids)::bigint[]) AS u
            ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq
            """)
        try await rows("UPDATE mailboxes SET highestmodseq = \(Int64(modSeq)) WHERE id = \(mailbox)")
        changed.insert(mailbox)
    }

    /// The UIDs of `uids` present in the mailbox, ascending.
    func presentUIDs(_ mailbox: MailboxID, _ uids: UIDSet) async throws -> [Int64] {
        try await messages(mailbox, uids).map { try $0.decode(Int64.self) }
    }
}

extension PostgresMailStore {
    /// COPY (RFC 9051 §6.4.7, RFC 4315 COPYUID): content is shared, so copies share the EMAILID
    /// (RFC 8474 §5.1); flags and internal dates are kept; SAVEDATE is the copy time (RFC 8514).
    public func copy(account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID) async throws -> CopyResult {
        try await write("copy") { tx in
            _ = try await tx.selectable(account, from)
            let boxes = try await tx.lockSelectable(account, [from, to])
            guard let target = boxes[to] else { throw MailStoreError.mailboxNotFound }
            let rows = try await tx.messages(from, uids)
            guard !rows.isEmpty else { return CopyResult(uidValidity: target.uidValidity, pairs: []) }
            let messages = try rows.map(PGMessage.init(row:))
            try await tx.checkQuota(
                account, bytes: messages.reduce(0) { $0 + Int64($1.size) }, messages: Int64(messages.count))
            let pairs = try await tx.insertCopies(from: from, uids: messages.map { Int64($0.uid) }, into: target)
            return CopyResult(uidValidity: target.uidValidity, pairs: pairs)
        }
    }

    /// EXPUNGE / UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315 §2.1): tombstones carry the new MODSEQ
    /// (RFC 7162 §3.2.10 needs them for VANISHED).
    public func expunge(account: AccountID, mailbox: MailboxID, uids: UIDSet?) async throws -> [UID] {
        try await write("expunge") { tx in
            let box = try await tx.selectable(account, mailbox, lock: true)
            let deleted = try await tx.rows(
                """
                SELECT uid FROM messages WHERE mailbox_id = \(mailbox)
                AND flags & \(Int32(SystemFlags.deleted.rawValue)) <> 0 ORDER BY uid
                """
            ).map { UID(truncatingIfNeeded: try $0.decode(Int64.self)) }
            let gone = deleted.filter { uids?.contains($0) ?? true }
            guard !gone.isEmpty else { return [] }
            let modSeq = box.highestModSeq + 1
            try await retainRemoved(tx, account: account, mailbox: mailbox, uids: gone.map(Int64.init), modSeq: modSeq)
            try await tx.removeMessages(mailbox, uids: gone.map(Int64.init), modSeq: modSeq)
            return gone
        }
    }

    /// MOVE / UID MOVE (RFC 6851 §3.3), in one transaction: the messages are copied into `to` (new UIDs
    /// from its UIDNEXT, ascending in source order; flags, internal date, content and EMAILID kept;
    /// SAVEDATE now) and removed from `from` with tombstones carrying a new MODSEQ of the source. Within
    /// one mailbox the new messages and the tombstones share one new MODSEQ.
    public func move(
        account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID
    ) async throws
        -> (copied: CopyResult, expunged: [UID])
    {
        let outcome = try await write("move") { tx -> MoveOutcome in
            _ = try await tx.selectable(account, from)
            let boxes = try await tx.lockSelectable(account, [from, to])
            guard let source = boxes[from], let target = boxes[to] else { throw MailStoreError.mailboxNotFound }
            let moved = try await tx.presentUIDs(from, uids)
            guard !moved.isEmpty else {
                return MoveOutcome(copied: CopyResult(uidValidity: target.uidValidity, pairs: []), expunged: [])
            }
            let pairs = try await tx.insertCopies(from: from, uids: moved, into: target)
            let sourceModSeq = from == to ? target.highestModSeq + 1 : source.highestModSeq + 1
            try await retainRemoved(tx, account: account, mailbox: from, uids: moved, modSeq: sourceModSeq)
            try await tx.removeMessages(from, uids: moved, modSeq: sourceModSeq)
            return MoveOutcome(
                copied: CopyResult(uidValidity: target.uidValidity, pairs: pairs),
                expunged: moved.map { UID(truncatingIfNeeded: $0) })
        }
        return (outcome.copied, outcome.expunged)
    }
}

private struct MoveOutcome: Sendable {
    var copied: CopyResult
    var expunged: [UID]
}
