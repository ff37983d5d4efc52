import Foundation
import MailStore
import NIOCore
import PostgresNIO

/// Parse results and their derived texts. They belong to the message (its EMAILID), so copies share
/// them, and they leave with the last copy.
extension PostgresMailStore {
    public func structures(
        account: AccountID, mailbox: MailboxID, uids: UIDSet
    ) async throws
        -> [UID: MessageStructure]
    {
        var found: [UID: MessageStructure] = [:]
        for (uid, structure) in try await storedStructures(account: account, mailbox: mailbox, uids: uids) {
            found[uid] = structure
        }
        return found
    }

    public func derivedTexts(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> DerivedTextsBatch {
        var batch = DerivedTextsBatch()
        for (uid, structure) in try await storedStructures(account: account, mailbox: mailbox, uids: uids) {
            if let derived = structure.derived {
                batch.append(uid: uid, structureVersion: structure.version, derived)
            }
        }
        return batch
    }

    /// The parse results of the messages of `uids` that have one, ascending by UID: one read over the
    /// span of `uids`, filtered here.
    private func storedStructures(
        account: AccountID, mailbox: MailboxID, uids: UIDSet
    ) async throws -> [(UID, MessageStructure)] {
        try await read("read structures") { tx in
            _ = try await tx.selectable(account, mailbox)
            guard let first = uids.ranges.first, let last = uids.ranges.last else { return [] }
            var found: [(UID, MessageStructure)] = []
            for row in try await tx.rows(
                """
                SELECT m.uid, s.version, s.data, s.derived_version, s.derived_0, s.derived_1, s.derived_2
                FROM messages m JOIN structures s ON s.email_id = m.email_id
                WHERE m.mailbox_id = \(mailbox)
                    AND m.uid BETWEEN \(Int64(first.lowerBound)) AND \(Int64(last.upperBound))
                ORDER BY m.uid
                """)
            {
                let (uid, version, data, derivedVersion, text0, text1, text2) = try row.decode(
                    (Int64, Int32, ByteBuffer, Int32?, ByteBuffer?, ByteBuffer?, ByteBuffer?).self)
                let messageUID = UID(truncatingIfNeeded: uid)
                guard uids.contains(messageUID) else { continue }
                var structure = MessageStructure(version: Int(version), data: Array(data.readableBytesView))
                if let derivedVersion {
                    structure.derived = DerivedTexts(
                        version: Int(derivedVersion),
                        texts: [text0, text1, text2].map { Array(($0 ?? ByteBuffer()).readableBytesView) })
                }
                found.append((messageUID, structure))
            }
            return found
        }
    }

    /// Stores (or replaces) a message's parse result on its content. Derived data: no MODSEQ change and
    /// nothing is published. A UID that is not (or no longer) in the mailbox is ignored.
    public func setStructure(
        account: AccountID, mailbox: MailboxID, uid: UID, structure: MessageStructure
    ) async throws {
        try await write("store structure") { tx in
            _ = try await tx.selectable(account, mailbox)
            guard
                let emailID = try await tx.row(
                    "SELECT email_id FROM messages WHERE mailbox_id = \(mailbox) AND uid = \(Int64(uid))"
                )?.decode(Int64.self)
            else { return }
            try await PostgresContent.setStructure(tx, emailID: emailID, structure)
        }
    }
}
