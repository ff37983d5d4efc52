import MailStore

extension SQLiteMailStore {
    /// Keeps messages an expunge or a MOVE is about to remove readable for the sessions that may not
    /// have been told yet (`ExpungeRetention`, RFC 2180 §4.1.1). Called in the removing transaction,
    /// before its commit; the content file stays until the retention lets the message go (the commit's
    /// unlink of it is deferred, see `init`).
    func retainRemoved(account: AccountID, mailbox: MailboxID, rows: [MessageRow], modSeq: ModSeq) {
        let retention = changeHub.retention
        guard retention.wanted(account: account, mailbox: mailbox, modSeq: modSeq) else { return }
        let blobs = self.blobs
        let retained = rows.map { row -> (ExpungeRetention.Message, String?) in
            let blob = row.blob
            let open: @Sendable () -> MessageContent? = {
                guard let opened = try? blobs.openDescriptor(blob) else { return nil }
                return MessageContent(fileDescriptor: opened.fd, size: opened.size)
            }
            return (ExpungeRetention.Message(meta: row.meta, open: open), blob)
        }
        retention.retain(account: account, mailbox: mailbox, modSeq: modSeq, retained)
    }
}
