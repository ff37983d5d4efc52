import Foundation
import MailStore

extension MemoryMailStore {
    /// One message filed into several mailboxes (see `MailStore.append(account:message:placements:)`):
    /// one stored content referenced by every copy, all copies or none.
    public func append(
        account: AccountID, message: StagedAppend, placements: [MailboxPlacement]
    ) async throws
        -> [AppendResult]
    {
        let staged = message.message
        let text: [UInt8]
        do {
            guard message.importKey == nil else {
                throw MailStoreError.internal("append: an import key cannot go to several mailboxes")
            }
            guard Set(placements.map(\.mailbox)).count == placements.count else {
                throw MailStoreError.internal("append: a mailbox is placed twice")
            }
            text = try await offLoop {
                guard let data = FileManager.default.contents(atPath: staged.path) else {
                    throw MailStoreError.internal("staged file missing: \(staged.url.lastPathComponent)")
                }
                return [UInt8](data)
            }
        } catch {
            staged.discard()
            throw error
        }
        staged.discard()
        guard !placements.isEmpty else { return [] }
        return try change { state, changed in
            let boxes = try placements.map { try state.selectable(account, $0.mailbox) }
            try state.checkQuota(
                account, bytes: Int64(text.count) * Int64(placements.count), messages: Int64(placements.count))
            guard boxes.allSatisfy({ $0.uidNext < UID.max }) else {
                throw MailStoreError.internal("UID space exhausted")
            }
            let content = state.addContent(text, structure: message.structure)
            let now = Date()
            var results: [AppendResult] = []
            for (index, placement) in placements.enumerated() {
                if index > 0 { state.contents[content]?.references += 1 }
                var box = state.take(placement.mailbox)
                let modSeq = box.highestModSeq + 1
                box.messages.append(
                    MemoryMessage(
                        uid: box.uidNext, modSeq: modSeq, flags: StoredFlags.of(placement.flags.normalized),
                        internalDate: message.internalDate, internalDateZone: message.internalDateZone,
                        saveDate: now, size: text.count, content: content))
                results.append(AppendResult(uidValidity: box.uidValidity, uid: box.uidNext))
                box.uidNext += 1
                box.highestModSeq = modSeq
                state.mailboxes[placement.mailbox] = box
                changed.insert(placement.mailbox)
            }
            return results
        }
    }
}
