import Foundation
import GRDB
import MailStore
import Telemetry

extension SQLiteMailStore {
    /// One message filed into several mailboxes (see `MailStore.append(account:message:placements:)`):
    /// one transaction moves the content file into the store once (its directory synced before the
    /// batch commits), checks the quota for every copy and inserts a row per mailbox, all referring
    /// to that file. A refused transaction
    /// removes the file; after an internal error it is left for the open-time sweep (the commit outcome
    /// may be unknown).
    public func append(
        account: AccountID, message: StagedAppend, placements: [MailboxPlacement]
    ) async throws
        -> [AppendResult]
    {
        let blobs = self.blobs
        let staged = message.message
        do {
            guard message.importKey == nil else {
                throw MailStoreError.internal("append: an import key cannot go to several mailboxes")
            }
            guard Set(placements.map(\.mailbox)).count == placements.count else {
                throw MailStoreError.internal("append: a mailbox is placed twice")
            }
            guard !placements.isEmpty else {
                staged.discard()
                return []
            }
        } catch {
            staged.discard()
            throw error
        }
        let moved = MovedFiles()
        do {
            let (results, size): ([AppendResult], Int) = try await write("append") { db, effects in
                let rows = try placements.map { try Self.selectableMailbox(db, account: account, id: $0.mailbox) }
                let files = try blobs.moveIn([staged])
                moved.record(files.files.map(\.id))
                effects.syncDirectories.formUnion(files.directories)
                let placed = files.files[0]
                try Self.checkQuota(
                    db, account: account, bytes: Int64(placed.size) * Int64(placements.count),
                    messages: Int64(placements.count))
                if let structure = message.structure { try Self.saveStructure(db, blob: placed.id, structure) }
                let now = Date().timeIntervalSince1970
                var results: [AppendResult] = []
                for (row, placement) in zip(rows, placements) {
                    guard row.uidNext < UID.max else { throw MailStoreError.internal("UID space exhausted") }
                    let modSeq = row.highestModSeq + 1
                    try Self.insertMessage(
                        db, mailbox: row.id, uid: row.uidNext, modSeq: modSeq, flags: placement.flags.normalized,
                        internalDate: message.internalDate.timeIntervalSince1970,
                        internalZone: message.internalDateZone, saveDate: now, size: placed.size, blob: placed.id)
                    try db.cachedStatement(sql: "UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?")
                        .execute(arguments: [Int64(row.uidNext + 1), Int64(modSeq), row.id])
                    effects.changedMailboxes.insert(row.id)
                    results.append(AppendResult(uidValidity: row.uidValidity, uid: row.uidNext))
                }
                return (results, placed.size)
            }
            // One content file, whatever the number of mailboxes that refer to it.
            Telemetry.messageStored(bytes: size)
            return results
        } catch {
            staged.discard()
            if let error = error as? MailStoreError, case .internal = error {} else { blobs.remove(moved.ids) }
            throw error
        }
    }
}
