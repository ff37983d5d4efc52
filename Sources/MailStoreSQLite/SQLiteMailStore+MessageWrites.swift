import Foundation
import GRDB
import MailStore
import Telemetry

extension SQLiteMailStore {
    /// MULTIAPPEND (RFC 3502 §6.3.11): all messages or none. Every content file is placed and made
    /// durable (file fsynced by staging, renames fsynced here) before the one transaction that refers
    /// to them and checks the quota (RFC 9208 §4.3); each message gets its own UID (ascending in the
    /// order given), all share one new MODSEQ, and SAVEDATE (RFC 8514) is the commit time. A structure
    /// given with a message is stored in the same transaction.
    ///
    /// Every staged file is consumed: on success it became a content file; when placing fails, or the
    /// transaction refuses (missing mailbox, \Noselect, over quota), the files are removed. After an internal error
    /// the commit outcome may be unknown, so placed files are left for the open-time sweep.
    public func append(
        account: AccountID, mailbox: MailboxID, messages: [StagedAppend]
    ) async throws
        -> [AppendResult]
    {
        try await appendMessages(account: account, mailbox: mailbox, messages: messages, once: false).appended.map {
            guard let result = $0 else { throw MailStoreError.internal("append: no result") }
            return result
        }
    }

    /// REPLACE (RFC 8508 §3.4): the append and the expunge in the append's one transaction.
    public func replace(
        account: AccountID, mailbox: MailboxID, message: StagedAppend, replacing: MailboxID, uid: UID
    ) async throws
        -> (appended: AppendResult, expunged: [UID])
    {
        let outcome = try await appendMessages(
            account: account, mailbox: mailbox, messages: [message], once: false, replacing: (replacing, uid))
        guard let appended = outcome.appended.first ?? nil else { throw MailStoreError.internal("replace: no result") }
        return (appended, outcome.expunged)
    }

    /// The import ledger's append (see `MailStore.appendOnce`): as `append`, in the same one
    /// transaction, skipping messages whose key the account has recorded. Their content files were
    /// placed before the transaction could know: they are removed once it commits.
    public func appendOnce(
        account: AccountID, mailbox: MailboxID, messages: [StagedAppend]
    ) async throws
        -> [AppendResult?]
    {
        try await appendMessages(account: account, mailbox: mailbox, messages: messages, once: true).appended
    }

    /// The keys of `import_keys` for the account with `prefix`: a range of its primary key.
    public func importedKeys(account: AccountID, prefix: String) async throws -> Set<String> {
        try await read("importedKeys", rows: Int.max) { db in
            try Self.requireAccount(db, account)
            let keys = try String.fetchAll(
                db.cachedStatement(sql: "SELECT key FROM import_keys WHERE account_id = ? AND key >= ? ORDER BY key"),
                arguments: [account, prefix]
            ).prefix { $0.utf8.starts(with: prefix.utf8) }
            return Set(keys)
        }
    }

    private func appendMessages(
        account: AccountID, mailbox: MailboxID, messages: [StagedAppend], once: Bool,
        replacing: (mailbox: MailboxID, uid: UID)? = nil
    ) async throws
        -> (appended: [AppendResult?], expunged: [UID])
    {
        guard !messages.isEmpty else {
            _ = try await read("append") { db in try Self.selectableMailbox(db, account: account, id: mailbox) }
            return ([], [])
        }
        let blobs = self.blobs
        let staged = messages.map(\.message)
        do {
            try StagedAppend.checkImportKeys(messages)
        } catch {
            for message in staged { message.discard() }
            throw error
        }
        // The files are renamed into the store on the writer's thread, inside the transaction that
        // refers to them, and their directories synced once for the whole batch before it commits:
        // no trip off the event loop and back between placing and writing.
        let moved = MovedFiles()
        do {
            let outcome: AppendOutcome = try await write("append") { db, effects in
                let row = try Self.selectableMailbox(db, account: account, id: mailbox)
                let rows = try Self.moveIn(messages, blobs: blobs, recordingIn: moved, effects: &effects)
                if let replacing { _ = try Self.selectableMailbox(db, account: account, id: replacing.mailbox) }
                let keep = try once ? Self.notYetImported(db, account: account, rows) : rows.map { _ in true }
                let kept = zip(rows, keep).filter(\.1).map(\.0)
                effects.unlinkBlobs += zip(rows, keep).filter { !$0.1 }.map(\.0.blob)
                guard !kept.isEmpty else { return AppendOutcome(appended: rows.map { _ in nil }, expunged: []) }
                try Self.checkQuota(
                    db, account: account, bytes: kept.reduce(0) { $0 + Int64($1.size) }, messages: Int64(kept.count))
                guard UInt64(row.uidNext) + UInt64(kept.count) <= UInt64(UID.max) else {
                    throw MailStoreError.internal("UID space exhausted")
                }
                let modSeq = row.highestModSeq + 1
                let now = Date().timeIntervalSince1970
                var uid = row.uidNext
                var results: [AppendResult?] = []
                results.reserveCapacity(rows.count)
                let record = try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO import_keys (account_id, key) VALUES (?, ?)")
                for (message, keeping) in zip(rows, keep) {
                    guard keeping else {
                        results.append(nil)
                        continue
                    }
                    try Self.insertMessage(
                        db, mailbox: mailbox, uid: uid, modSeq: modSeq, flags: message.flags,
                        internalDate: message.internalDate, internalZone: message.internalZone, saveDate: now,
                        size: message.size, blob: message.blob)
                    if let structure = message.structure {
                        try Self.saveStructure(db, blob: message.blob, structure)
                    }
                    if let key = message.importKey { try record.execute(arguments: [account, key]) }
                    results.append(AppendResult(uidValidity: row.uidValidity, uid: uid))
                    uid += 1
                }
                try db.cachedStatement(sql: "UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?").execute(
                    arguments: [Int64(uid), Int64(modSeq), mailbox])
                effects.changedMailboxes.insert(mailbox)
                let stored = kept.reduce(0) { $0 + $1.size }
                guard let replacing else { return AppendOutcome(appended: results, expunged: [], storedBytes: stored) }
                let expunged = try self.removeReplaced(
                    db, effects: &effects, account: account, replacing: replacing, appendedTo: mailbox, modSeq: modSeq)
                return AppendOutcome(appended: results, expunged: expunged, storedBytes: stored)
            }
            Telemetry.messageStored(bytes: outcome.storedBytes)
            return (outcome.appended, outcome.expunged)
        } catch {
            // Files not moved into the store are still staged: remove them.
            for message in staged { message.discard() }
            // A refused append never referenced the moved files: remove them now. After an internal
            // error the commit outcome may be unknown, so they are left for recovery on the next open.
            if let error = error as? MailStoreError, case .internal = error {} else { blobs.remove(moved.ids) }
            throw error
        }
    }

    /// STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3): only messages whose flags change get the new MODSEQ,
    /// and the mailbox is published only when something changed.
    public func store(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, operation: FlagOperation, flags: MessageFlags,
        unchangedSince: ModSeq?
    ) async throws -> (updated: [FlagUpdate], modified: [UID]) {
        let result = try await write("store") { db, effects -> StoreOutcome in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let newModSeq = row.highestModSeq + 1
            var outcome = StoreOutcome()
            var changed = false
            let update = try db.cachedStatement(
                sql: "UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?")
            for message in try Self.messageRows(db, mailbox: mailbox, uids: uids) {
                if let limit = unchangedSince, message.modSeq > limit {
                    outcome.modified.append(message.uid)
                    continue
                }
                let newFlags = message.flags.applying(operation, flags)
                if newFlags == message.flags {
                    outcome.updated.append(FlagUpdate(uid: message.uid, modSeq: message.modSeq, flags: message.flags))
                    continue
                }
                changed = true
                try update.execute(arguments: [
                    newFlags.system.rawValue, FlagCoding.keywords(newFlags), Int64(newModSeq), mailbox,
                    Int64(message.uid),
                ])
                outcome.updated.append(
                    FlagUpdate(uid: message.uid, modSeq: newModSeq, flags: newFlags, previousModSeq: message.modSeq))
            }
            if changed {
                try db.cachedStatement(sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?").execute(
                    arguments: [Int64(newModSeq), mailbox])
                effects.changedMailboxes.insert(mailbox)
            }
            return outcome
        }
        return (result.updated, result.modified)
    }

    /// COPY (RFC 9051 §6.4.7, RFC 4315 COPYUID): content is shared, so copies share the EMAILID
    /// (RFC 8474 §5.1); flags and internal dates are kept; SAVEDATE is the copy time (RFC 8514). Each
    /// copy counts against the quota (RFC 9208 §4.3: `.overQuota` and nothing copied).
    public func copy(account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID) async throws -> CopyResult {
        try await write("copy") { db, effects in
            _ = try Self.selectableMailbox(db, account: account, id: from)
            let target = try Self.selectableMailbox(db, account: account, id: to)
            let rows = try Self.messageRows(db, mailbox: from, uids: uids)
            guard !rows.isEmpty else { return CopyResult(uidValidity: target.uidValidity, pairs: []) }
            try Self.checkQuota(
                db, account: account, bytes: rows.reduce(0) { $0 + Int64($1.size) }, messages: Int64(rows.count))
            let pairs = try Self.insertCopies(db, rows, into: target)
            effects.changedMailboxes.insert(to)
            return CopyResult(uidValidity: target.uidValidity, pairs: pairs)
        }
    }

    /// EXPUNGE / UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315 §2.1): tombstones carry the new MODSEQ
    /// (RFC 7162 §3.2.10 needs them for VANISHED).
    public func expunge(account: AccountID, mailbox: MailboxID, uids: UIDSet?) async throws -> [UID] {
        try await write("expunge") { db, effects in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let deleted = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(MessageRow.columns) FROM messages
                        WHERE mailbox_id = ? AND (flags & \(SystemFlags.deleted.rawValue)) != 0 ORDER BY uid
                        """), arguments: [mailbox]
            ).map(MessageRow.init(row:)).filter { uids?.contains($0.uid) ?? true }
            guard !deleted.isEmpty else { return [] }
            let modSeq = row.highestModSeq + 1
            self.retainRemoved(account: account, mailbox: mailbox, rows: deleted, modSeq: modSeq)
            try Self.removeMessages(db, mailbox: mailbox, uids: deleted.map(\.uid), modSeq: modSeq)
            try db.cachedStatement(sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?").execute(
                arguments: [Int64(modSeq), mailbox])
            effects.unlinkBlobs += try Self.unreferenced(db, Set(deleted.map(\.blob)))
            effects.changedMailboxes.insert(mailbox)
            return deleted.map(\.uid)
        }
    }
}

// MARK: Transaction helpers

private struct AppendOutcome: Sendable {
    var appended: [AppendResult?]
    var expunged: [UID]
    /// Bytes of the content files that rows now refer to (the messages not skipped).
    var storedBytes = 0
}

/// The ids of the content files an append moved into the store, seen by the caller after its write
/// failed (to remove them when nothing can refer to them). Set on the writer's thread, read after.
final class MovedFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var moved: [String] = []

    var ids: [String] { lock.withLock { moved } }

    func record(_ ids: [String]) {
        lock.withLock { moved += ids }
    }
}

extension SQLiteMailStore {
    /// Renames the staged files of `messages` into the store (see `BlobFiles.moveIn`), records them in
    /// `moved`, asks the batch to sync their directories before it commits, and returns their rows.
    fileprivate static func moveIn(
        _ messages: [StagedAppend], blobs: BlobFiles, recordingIn moved: MovedFiles,
        effects: inout GroupCommitWriter.Effects
    ) throws -> [NewMessage] {
        let files = try blobs.moveIn(messages.map(\.message))
        moved.record(files.files.map(\.id))
        effects.syncDirectories.formUnion(files.directories)
        return zip(messages, files.files).map { message, file in
            NewMessage(
                blob: file.id, size: file.size, flags: message.flags.normalized,
                internalDate: message.internalDate.timeIntervalSince1970, internalZone: message.internalDateZone,
                structure: message.structure, importKey: message.importKey)
        }
    }
}

extension SQLiteMailStore {
    /// REPLACE's expunge, in the append's transaction: a tombstone with the next MODSEQ of the replaced
    /// message's mailbox, or the append's own MODSEQ when both are one mailbox (as MOVE does).
    fileprivate func removeReplaced(
        _ db: Database, effects: inout GroupCommitWriter.Effects, account: AccountID,
        replacing: (mailbox: MailboxID, uid: UID),
        appendedTo mailbox: MailboxID, modSeq: ModSeq
    ) throws -> [UID] {
        let source = try Self.selectableMailbox(db, account: account, id: replacing.mailbox)
        let rows = try Self.messageRows(db, mailbox: replacing.mailbox, uids: UIDSet([replacing.uid]))
        guard !rows.isEmpty else { return [] }
        let removalModSeq = replacing.mailbox == mailbox ? modSeq : source.highestModSeq + 1
        retainRemoved(account: account, mailbox: replacing.mailbox, rows: rows, modSeq: removalModSeq)
        try Self.removeMessages(db, mailbox: replacing.mailbox, uids: rows.map(\.uid), modSeq: removalModSeq)
        try db.cachedStatement(sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?").execute(
            arguments: [Int64(removalModSeq), replacing.mailbox])
        effects.unlinkBlobs += try Self.unreferenced(db, Set(rows.map(\.blob)))
        effects.changedMailboxes.insert(replacing.mailbox)
        return rows.map(\.uid)
    }

    static func insertMessage(
        _ db: Database, mailbox: MailboxID, uid: UID, modSeq: ModSeq, flags: MessageFlags, internalDate: Double,
        internalZone: Int, saveDate: Double, size: Int, blob: String
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO messages
                    (mailbox_id, uid, modseq, flags, keywords, internal_date, internal_zone, save_date, size, blob)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            mailbox, Int64(uid), Int64(modSeq), flags.system.rawValue, FlagCoding.keywords(flags), internalDate,
            internalZone, saveDate, size, blob,
        ])
    }

    /// Inserts copies of `rows` (ascending) into `target` with new UIDs from its UIDNEXT, ascending in
    /// the same order, one new MODSEQ, the rows' flags, internal dates and content, and SAVEDATE now.
    /// Raises the target's UIDNEXT and HIGHESTMODSEQ. Returns (source UID, new UID) pairs.
    static func insertCopies(
        _ db: Database, _ rows: [MessageRow], into target: MailboxRow
    ) throws
        -> [(source: UID, destination: UID)]
    {
        guard UInt64(target.uidNext) + UInt64(rows.count) <= UInt64(UID.max) else {
            throw MailStoreError.internal("UID space exhausted")
        }
        let modSeq = target.highestModSeq + 1
        let now = Date().timeIntervalSince1970
        var uid = target.uidNext
        var pairs: [(source: UID, destination: UID)] = []
        pairs.reserveCapacity(rows.count)
        for row in rows {
            try insertMessage(
                db, mailbox: target.id, uid: uid, modSeq: modSeq, flags: row.flags, internalDate: row.internalDate,
                internalZone: row.internalZone, saveDate: now, size: row.size, blob: row.blob)
            pairs.append((row.uid, uid))
            uid += 1
        }
        try db.cachedStatement(sql: "UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?").execute(
            arguments: [Int64(uid), Int64(modSeq), target.id])
        return pairs
    }

    /// Deletes messages and leaves their tombstones with `modSeq` (the caller raises HIGHESTMODSEQ).
    static func removeMessages(_ db: Database, mailbox: MailboxID, uids: [UID], modSeq: ModSeq) throws {
        let delete = try db.cachedStatement(sql: "DELETE FROM messages WHERE mailbox_id = ? AND uid = ?")
        let tombstone = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)")
        for uid in uids {
            try delete.execute(arguments: [mailbox, Int64(uid)])
            try tombstone.execute(arguments: [mailbox, Int64(uid), Int64(modSeq)])
        }
    }

    /// For each row, whether its import key (if any) is new to the account and to the rows before it.
    private static func notYetImported(_ db: Database, account: AccountID, _ rows: [NewMessage]) throws -> [Bool] {
        let lookup = try db.cachedStatement(sql: "SELECT 1 FROM import_keys WHERE account_id = ? AND key = ?")
        var seen: Set<String> = []
        return try rows.map { row in
            guard let key = row.importKey else { return true }
            guard seen.insert(key).inserted else { return false }
            return try Bool.fetchOne(lookup, arguments: [account, key]) == nil
        }
    }

    static func saveStructure(_ db: Database, blob: String, _ structure: MessageStructure) throws {
        let texts = structure.derived.map { $0.texts.map { Data($0) } }
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO structures (blob, version, data, rendered_version, envelope, body, bodystructure)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            blob, structure.version, Data(structure.data), structure.derived?.version, texts?[0], texts?[1], texts?[2],
        ])
    }
}

/// A message about to be inserted by an append (its content file already placed).
private struct NewMessage: Sendable {
    var blob: String
    var size: Int
    var flags: MessageFlags
    var internalDate: Double
    var internalZone: Int
    var structure: MessageStructure?
    var importKey: String?
}

private struct StoreOutcome: Sendable {
    var updated: [FlagUpdate] = []
    var modified: [UID] = []
}
