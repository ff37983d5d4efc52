import MailStore
import PostgresNIO

extension PostgresMailStore {
    /// Keeps messages an expunge or a MOVE is about to remove readable for this node's sessions that
    /// may not have been told yet (`ExpungeRetention`, RFC 2180 §4.1.1). Called in the transaction,
    /// before the rows go; only when some session here still needs them. Their text is read into memory
    /// (the database frees it with its last reference at commit). Sessions on other nodes get nothing
    /// kept: a FETCH of such a message there fails with NO [EXPUNGEISSUED], as before retention.
    func retainRemoved(
        _ tx: Transaction, account: AccountID, mailbox: MailboxID, uids: [Int64], modSeq: ModSeq
    ) async throws {
        let retention = changeHub.retention
        guard retention.wanted(account: account, mailbox: mailbox, modSeq: modSeq) else { return }
        var retained: [(message: ExpungeRetention.Message, blob: String?)] = []
        for row in try await tx.rows(
            """
            SELECT \(unescaped: PGMessage.columns) FROM messages
            WHERE mailbox_id = \(mailbox) AND uid = ANY(\(uids)::bigint[]) ORDER BY uid
            """)
        {
            let message = try PGMessage(row: row)
            let bytes = try await PostgresContent.bytes(tx, content: message.contentID, size: message.size)
            retained.append((ExpungeRetention.Message(meta: message.meta, open: { MessageContent(bytes: bytes) }), nil))
        }
        retention.retain(account: account, mailbox: mailbox, modSeq: modSeq, retained)
    }
}
