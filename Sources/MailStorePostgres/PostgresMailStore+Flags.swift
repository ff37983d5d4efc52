import Foundation
import MailStore
import PostgresNIO

extension PostgresMailStore {
    /// STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3): only messages whose flags change get the new MODSEQ,
    /// and the mailbox is published only when something changed. The new flags are worked out here
    /// (keywords compare case-insensitively) and written grouped by result, one statement per group.
    public func store(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, operation: FlagOperation, flags: MessageFlags,
        unchangedSince: ModSeq?
    ) async throws -> (updated: [FlagUpdate], modified: [UID]) {
        let outcome = try await write("store flags") { tx -> StoreOutcome in
            let box = try await tx.selectable(account, mailbox, lock: true)
            let newModSeq = box.highestModSeq + 1
            var outcome = StoreOutcome()
            var groups: [MessageFlags: [Int64]] = [:]
            for row in try await tx.messages(mailbox, uids) {
                let message = try PGMessage(row: row)
                if let limit = unchangedSince, message.modSeq > limit {
                    outcome.modified.append(message.uid)
                    continue
                }
                let newFlags = PGFlags.stored(message.flags.applying(operation, flags))
                if newFlags == message.flags {
                    outcome.updated.append(FlagUpdate(uid: message.uid, modSeq: message.modSeq, flags: message.flags))
                    continue
                }
                groups[newFlags, default: []].append(Int64(message.uid))
                outcome.updated.append(
                    FlagUpdate(uid: message.uid, modSeq: newModSeq, flags: newFlags, previousModSeq: message.modSeq))
            }
            guard !groups.isEmpty else { return outcome }
            for (newFlags, members) in groups {
                try await tx.rows(
                    """
                    UPDATE messages SET flags = \(PGFlags.system(newFlags)), keywords = \(PGFlags.keywords(newFlags)),
                        modseq = \(Int64(newModSeq))
                    WHERE mailbox_id = \(mailbox) AND uid = ANY(\(members)::bigint[])
                    """)
            }
            try await tx.rows("UPDATE mailboxes SET highestmodseq = \(Int64(newModSeq)) WHERE id = \(mailbox)")
            tx.changed.insert(mailbox)
            return outcome
        }
        return (outcome.updated, outcome.modified)
    }
}

private struct StoreOutcome: Sendable {
    var updated: [FlagUpdate] = []
    var modified: [UID] = []
}
