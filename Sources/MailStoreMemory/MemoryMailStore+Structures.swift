import Foundation
import MailStore

/// Parse results and their renderings. They belong to the content, so copies of a message share them,
/// and they leave with the last copy.
extension MemoryMailStore {
    public func structures(
        account: AccountID, mailbox: MailboxID, uids: UIDSet
    ) async throws
        -> [UID: MessageStructure]
    {
        try read { state in
            let box = try state.selectable(account, mailbox)
            var found: [UID: MessageStructure] = [:]
            for i in box.positions(of: uids) {
                let message = box.messages[i]
                if let structure = state.contents[message.content]?.structure { found[message.uid] = structure }
            }
            return found
        }
    }

    public func derivedTexts(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> DerivedTextsBatch {
        try read { state in
            let box = try state.selectable(account, mailbox)
            var batch = DerivedTextsBatch()
            for i in box.positions(of: uids) {
                let message = box.messages[i]
                if let structure = state.contents[message.content]?.structure, let derived = structure.derived {
                    batch.append(uid: message.uid, structureVersion: structure.version, derived)
                }
            }
            return batch
        }
    }

    /// Stores (or replaces) a message's parse result. Derived data: no MODSEQ change and nothing is
    /// published. A UID that is not (or no longer) in the mailbox is ignored.
    public func setStructure(
        account: AccountID, mailbox: MailboxID, uid: UID, structure: MessageStructure
    ) async throws {
        try change { state, _ in
            let box = try state.selectable(account, mailbox)
            guard let i = box.position(of: uid) else { return }
            state.contents[box.messages[i].content]?.structure = structure
        }
    }
}
