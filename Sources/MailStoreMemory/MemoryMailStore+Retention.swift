import MailStore

extension MemoryMailStore {
    /// Keeps messages an expunge or a MOVE is about to remove readable for the sessions that may not
    /// have been told yet (`ExpungeRetention`, RFC 2180 §4.1.1). Called under the state's lock, before
    /// the change is visible; the content is shared, not copied.
    func retainRemoved(
        _ state: borrowing MemoryState, account: AccountID, mailbox: MailboxID, uids: [UID], modSeq: ModSeq
    ) {
        let retention = changeHub.retention
        guard retention.wanted(account: account, mailbox: mailbox, modSeq: modSeq),
            let box = state.mailboxes[mailbox]
        else { return }
        let retained = box.positions(of: UIDSet(uids)).map { position -> (ExpungeRetention.Message, String?) in
            let message = box.messages[position]
            let bytes = state.contents[message.content]?.bytes ?? []
            return (ExpungeRetention.Message(meta: message.meta, open: { MessageContent(bytes: bytes) }), nil)
        }
        retention.retain(account: account, mailbox: mailbox, modSeq: modSeq, retained)
    }
}
