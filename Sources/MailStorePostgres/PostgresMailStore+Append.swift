import Foundation
import MailStore
import PostgresNIO

extension PostgresMailStore {
    /// MULTIAPPEND (RFC 3502): all messages or none, in one transaction. Each message gets its own UID
    /// (ascending in the order given), all share one new MODSEQ, SAVEDATE is the append time.
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

    /// REPLACE (RFC 8508 §3.4): the append and the expunge in the append's one transaction, both
    /// mailboxes locked in id order.
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

    /// The import ledger's append (see `MailStore.appendOnce`).
    public func appendOnce(
        account: AccountID, mailbox: MailboxID, messages: [StagedAppend]
    ) async throws
        -> [AppendResult?]
    {
        try await appendMessages(account: account, mailbox: mailbox, messages: messages, once: true).appended
    }

    public func importedKeys(account: AccountID, prefix: String) async throws -> Set<String> {
        try await read("read import keys") { tx in
            try await tx.requireAccount(account)
            return Set(
                try await tx.rows(
                    "SELECT key FROM import_keys WHERE account_id = \(account) AND starts_with(key, \(prefix))"
                ).map { try $0.decode(String.self) })
        }
    }

    /// The staged files are hashed first (off the caller's thread), then the transaction stores each
    /// distinct text once and adds the message rows; the files are removed whatever happens.
    private func appendMessages(
        account: AccountID, mailbox: MailboxID, messages: [StagedAppend], once: Bool,
        replacing: (mailbox: MailboxID, uid: UID)? = nil
    ) async throws
        -> AppendOutcome
    {
        let staged = messages.map(\.message)
        defer { for message in staged { message.discard() } }
        guard !messages.isEmpty else {
            _ = try await read("append") { tx in try await tx.selectable(account, mailbox).info }
            return AppendOutcome(appended: [], expunged: [])
        }
        try StagedAppend.checkImportKeys(messages)
        let hashes = try await offLoop { try staged.map(PostgresContent.hash) }
        return try await write("append") { tx in
            let boxes = try await tx.lockSelectable(account, [mailbox] + (replacing.map { [$0.mailbox] } ?? []))
            guard let box = boxes[mailbox] else { throw MailStoreError.mailboxNotFound }
            var keep: [Bool] = []
            for message in messages {
                guard let key = message.importKey else {
                    keep.append(true)
                    continue
                }
                let recorded = try await tx.rows(
                    """
                    INSERT INTO import_keys (account_id, key) VALUES (\(account), \(key))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """)
                keep.append(!recorded.isEmpty || !once)
            }
            let kept = zip(messages, keep).filter(\.1).map(\.0)
            guard !kept.isEmpty else { return AppendOutcome(appended: messages.map { _ in nil }, expunged: []) }
            try await tx.checkQuota(
                account, bytes: kept.reduce(0) { $0 + Int64($1.message.size) }, messages: Int64(kept.count))
            guard UInt64(box.uidNext) + UInt64(kept.count) <= UInt64(UID.max) else {
                throw MailStoreError.internal("UID space exhausted")
            }
            let modSeq = Int64(box.highestModSeq + 1)
            let now = Date().stored
            var uid = Int64(box.uidNext)
            var results: [AppendResult?] = []
            for (index, message) in messages.enumerated() {
                guard keep[index] else {
                    results.append(nil)
                    continue
                }
                let content = try await PostgresContent.store(tx, message.message, hash: hashes[index])
                let flags = PGFlags.stored(message.flags)
                let inserted = try await tx.row(
                    """
                    INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, internal_zone,
                        save_date, size, content_id, email_id)
                    VALUES (\(mailbox), \(uid), \(modSeq), \(PGFlags.system(flags)), \(PGFlags.keywords(flags)),
                        \(message.internalDate.stored), \(Int32(message.internalDateZone)), \(now),
                        \(Int64(message.message.size)), \(content), nextval('email_ids'))
                    RETURNING email_id
                    """)
                if let structure = message.structure, let emailID = try inserted?.decode(Int64.self) {
                    try await PostgresContent.setStructure(tx, emailID: emailID, structure)
                }
                results.append(AppendResult(uidValidity: box.uidValidity, uid: UID(uid)))
                uid += 1
            }
            try await tx.rows("UPDATE mailboxes SET uidnext = \(uid), highestmodseq = \(modSeq) WHERE id = \(mailbox)")
            tx.changed.insert(mailbox)
            guard let replacing, let source = boxes[replacing.mailbox] else {
                return AppendOutcome(appended: results, expunged: [])
            }
            let present = try await tx.presentUIDs(replacing.mailbox, UIDSet([replacing.uid]))
            guard !present.isEmpty else { return AppendOutcome(appended: results, expunged: []) }
            // One mailbox: the new message and the tombstone share the MODSEQ (as MOVE does).
            let removalModSeq = replacing.mailbox == mailbox ? ModSeq(modSeq) : source.highestModSeq + 1
            try await retainRemoved(
                tx, account: account, mailbox: replacing.mailbox, uids: present, modSeq: removalModSeq)
            try await tx.removeMessages(replacing.mailbox, uids: present, modSeq: removalModSeq)
            return AppendOutcome(appended: results, expunged: [replacing.uid])
        }
    }

    /// One message filed into several mailboxes (see `MailStore.append(account:message:placements:)`):
    /// one stored content and one EMAILID shared by every copy, all copies or none.
    public func append(
        account: AccountID, message: StagedAppend, placements: [MailboxPlacement]
    ) async throws
        -> [AppendResult]
    {
        let staged = message.message
        defer { staged.discard() }
        guard message.importKey == nil else {
            throw MailStoreError.internal("append: an import key cannot go to several mailboxes")
        }
        guard Set(placements.map(\.mailbox)).count == placements.count else {
            throw MailStoreError.internal("append: a mailbox is placed twice")
        }
        guard !placements.isEmpty else { return [] }
        let hash = try await offLoop { try PostgresContent.hash(staged) }
        return try await write("deliver") { tx in
            let boxes = try await tx.lockSelectable(account, placements.map(\.mailbox))
            try await tx.checkQuota(
                account, bytes: Int64(staged.size) * Int64(placements.count), messages: Int64(placements.count))
            guard boxes.values.allSatisfy({ $0.uidNext < UID.max }) else {
                throw MailStoreError.internal("UID space exhausted")
            }
            let content = try await PostgresContent.store(tx, staged, hash: hash)
            guard let emailID = try await tx.row("SELECT nextval('email_ids')")?.decode(Int64.self) else {
                throw MailStoreError.internal("no email id")
            }
            if let structure = message.structure {
                try await PostgresContent.setStructure(tx, emailID: emailID, structure)
            }
            let now = Date().stored
            var results: [AppendResult] = []
            for placement in placements {
                guard let box = boxes[placement.mailbox] else { throw MailStoreError.mailboxNotFound }
                let uid = Int64(box.uidNext)
                let modSeq = Int64(box.highestModSeq + 1)
                let flags = PGFlags.stored(placement.flags)
                try await tx.rows(
                    """
                    INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, internal_zone,
                        save_date, size, content_id, email_id)
                    VALUES (\(box.id), \(uid), \(modSeq), \(PGFlags.system(flags)), \(PGFlags.keywords(flags)),
                        \(message.internalDate.stored), \(Int32(message.internalDateZone)), \(now),
                        \(Int64(staged.size)), \(content), \(emailID))
                    """)
                try await tx.rows(
                    "UPDATE mailboxes SET uidnext = \(uid + 1), highestmodseq = \(modSeq) WHERE id = \(box.id)")
                tx.changed.insert(box.id)
                results.append(AppendResult(uidValidity: box.uidValidity, uid: UID(uid)))
            }
            return results
        }
    }
}

private struct AppendOutcome: Sendable {
    var appended: [AppendResult?]
    var expunged: [UID]
}
