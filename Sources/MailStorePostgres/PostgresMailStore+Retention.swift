import Foundation
import MailStore
import PostgresNIO

extension PostgresMailStore {
    /// Keeps messages an expunge or a MOVE is about to remove readable for this node's sessions that
    /// may not have been told yet (`ExpungeRetention`, RFC 2180 §4.1.1). Called in the transaction,
    /// before the rows go; only when some session here still needs them. Their text is read into memory
    /// (the database frees it with its last reference at commit), within `Limits.retainedBytes` per node. Sessions on other nodes get nothing
    /// kept: a FETCH of such a message there fails with NO [EXPUNGEISSUED], as before retention.
    func retainRemoved(
        _ tx: Transaction, account: AccountID, mailbox: MailboxID, uids: [Int64], modSeq: ModSeq
    ) async throws {
        let retention = changeHub.retention
        guard retention.wanted(account: account, mailbox: mailbox, modSeq: modSeq) else { return }
        var retained: [(message: ExpungeRetention.Message, blob: String?)] = []
        var held: [String: Int] = [:]
        for row in try await tx.rows(
            """
            SELECT \(unescaped: PGMessage.columns) FROM messages
            WHERE mailbox_id = \(mailbox) AND uid = ANY(\(uids)::bigint[]) ORDER BY uid
            """)
        {
            let message = try PGMessage(row: row)
            // The text is held only within the node's budget; beyond it a FETCH of the message's
            // content fails as for any message gone (NO [EXPUNGEISSUED]), its flags still answer.
            guard reserveRetained(message.size) else {
                retained.append((ExpungeRetention.Message(meta: message.meta, open: { nil }), nil))
                continue
            }
            let bytes: [UInt8]
            do {
                bytes = try await PostgresContent.bytes(tx, content: message.contentID, size: message.size)
            } catch {
                releaseRetained(message.size)
                throw error
            }
            let token = "retained-\(UUID().uuidString)"
            held[token] = message.size
            retained.append(
                (ExpungeRetention.Message(meta: message.meta, open: { MessageContent(bytes: bytes) }), token))
        }
        retention.retain(account: account, mailbox: mailbox, modSeq: modSeq, retained)
        // Each held text is counted until the retention lets its message go (now, for those no session
        // wanted after all).
        let sizes = held
        let unheld = retention.deferUnlink(Array(sizes.keys)) { [weak self] token in
            self?.releaseRetained(sizes[token] ?? 0)
        }
        for token in unheld { releaseRetained(sizes[token] ?? 0) }
    }

    private func reserveRetained(_ size: Int) -> Bool {
        let total = retainedBytes.add(size, ordering: .relaxed).newValue
        if total <= retainedBudget { return true }
        retainedBytes.subtract(size, ordering: .relaxed)
        return false
    }

    private func releaseRetained(_ size: Int) {
        retainedBytes.subtract(size, ordering: .relaxed)
    }
}
