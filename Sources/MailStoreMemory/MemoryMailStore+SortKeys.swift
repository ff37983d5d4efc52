import MailStore

/// Sort keys, kept with the content: copies of a message share them, and they leave with the last copy.
extension MemoryMailStore {
    public func sortKeys(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [UID: SortKeyData] {
        try read { state in
            let box = try state.selectable(account, mailbox)
            var found: [UID: SortKeyData] = [:]
            for i in box.positions(of: uids) {
                let message = box.messages[i]
                if let keys = state.contents[message.content]?.sortKeys { found[message.uid] = keys }
            }
            return found
        }
    }

    public func setSortKeys(account: AccountID, mailbox: MailboxID, _ keys: [UID: SortKeyData]) async throws {
        try change { state, _ in
            let box = try state.selectable(account, mailbox)
            for (uid, data) in keys {
                guard let i = box.position(of: uid) else { continue }
                state.contents[box.messages[i].content]?.sortKeys = data
            }
        }
    }
}
