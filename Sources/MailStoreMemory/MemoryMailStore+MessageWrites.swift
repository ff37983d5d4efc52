import Foundation
import MailStore

extension MemoryMailStore {
    /// MULTIAPPEND (RFC 3502 §6.3.11): all messages or none. The staged files are read into memory (off
    /// the caller's thread) and removed whatever happens next; each message gets its own UID
    /// (ascending in the order given), all share one new MODSEQ, SAVEDATE is the append time, and a
    /// structure given with a message is stored with its content.
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

    /// REPLACE (RFC 8508 §3.4): the append and the expunge in one change.
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
        try read { state in
            guard let keys = state.accounts[account]?.importKeys else { throw MailStoreError.accountNotFound }
            return keys.filter { $0.utf8.starts(with: prefix.utf8) }
        }
    }

    private func appendMessages(
        account: AccountID, mailbox: MailboxID, messages: [StagedAppend], once: Bool,
        replacing: (mailbox: MailboxID, uid: UID)? = nil
    ) async throws
        -> (appended: [AppendResult?], expunged: [UID])
    {
        guard !messages.isEmpty else {
            _ = try read { state in try state.selectable(account, mailbox).info }
            return ([], [])
        }
        let staged = messages.map(\.message)
        let texts: [[UInt8]]
        do {
            try StagedAppend.checkImportKeys(messages)
            texts = try await offLoop { try staged.map(Self.readStaged) }
        } catch {
            for message in staged { message.discard() }
            throw error
        }
        for message in staged { message.discard() }
        return try change { state, changed in
            let box = try state.selectable(account, mailbox).info
            var known = state.accounts[account]?.importKeys ?? []
            let keep = messages.map { message in
                guard let key = message.importKey else { return true }
                return known.insert(key).inserted || !once
            }
            let kept = zip(texts, keep).filter(\.1).map(\.0)
            guard !kept.isEmpty else { return (messages.map { _ in nil }, []) }
            // A replaced message's mailbox must be there (and selectable) before anything changes.
            if let replacing { _ = try state.selectable(account, replacing.mailbox) }
            try state.checkQuota(
                account, bytes: kept.reduce(0) { $0 + Int64($1.count) }, messages: Int64(kept.count))
            guard UInt64(box.uidNext) + UInt64(kept.count) <= UInt64(UID.max) else {
                throw MailStoreError.internal("UID space exhausted")
            }
            let modSeq = box.highestModSeq + 1
            let now = Date()
            var uid = box.uidNext
            var added: [MemoryMessage] = []
            var results: [AppendResult?] = []
            for ((message, text), keeping) in zip(zip(messages, texts), keep) {
                guard keeping else {
                    results.append(nil)
                    continue
                }
                let content = state.addContent(text, structure: message.structure)
                added.append(
                    MemoryMessage(
                        uid: uid, modSeq: modSeq, flags: StoredFlags.of(message.flags.normalized),
                        internalDate: message.internalDate, internalDateZone: message.internalDateZone, saveDate: now,
                        size: text.count, content: content))
                results.append(AppendResult(uidValidity: box.uidValidity, uid: uid))
                uid += 1
            }
            state.accounts[account]?.importKeys = known
            var target = state.take(mailbox)
            target.messages += added
            target.uidNext = uid
            target.highestModSeq = modSeq
            state.mailboxes[mailbox] = target
            changed.insert(mailbox)
            guard let replacing else { return (results, []) }
            let source = try state.selectable(account, replacing.mailbox)
            guard source.messages.contains(where: { $0.uid == replacing.uid }) else { return (results, []) }
            // The same mailbox: the new message and the tombstone share the MODSEQ (as MOVE does).
            let removalModSeq = replacing.mailbox == mailbox ? modSeq : source.highestModSeq + 1
            retainRemoved(
                state, account: account, mailbox: replacing.mailbox, uids: [replacing.uid], modSeq: removalModSeq)
            state.removeMessages(replacing.mailbox, uids: [replacing.uid], modSeq: removalModSeq)
            changed.insert(replacing.mailbox)
            return (results, [replacing.uid])
        }
    }

    /// The whole staged file.
    private static func readStaged(_ message: StagedMessage) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: message.path) else {
            throw MailStoreError.internal("staged file missing: \(message.url.lastPathComponent)")
        }
        return [UInt8](data)
    }

    /// STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3): only messages whose flags change get the new MODSEQ,
    /// and the mailbox is published only when something changed.
    public func store(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, operation: FlagOperation, flags: MessageFlags,
        unchangedSince: ModSeq?
    ) async throws -> (updated: [FlagUpdate], modified: [UID]) {
        let outcome = try change { state, changed -> StoreOutcome in
            let newModSeq = try state.selectable(account, mailbox).highestModSeq + 1
            var box = state.take(mailbox)
            defer { state.mailboxes[mailbox] = box }
            var outcome = StoreOutcome()
            for i in box.positions(of: uids) {
                let message = box.messages[i]
                if let limit = unchangedSince, message.modSeq > limit {
                    outcome.modified.append(message.uid)
                    continue
                }
                let newFlags = StoredFlags.of(message.flags.applying(operation, flags))
                if newFlags == message.flags {
                    outcome.updated.append(FlagUpdate(uid: message.uid, modSeq: message.modSeq, flags: message.flags))
                    continue
                }
                box.messages[i].flags = newFlags
                box.messages[i].modSeq = newModSeq
                outcome.updated.append(
                    FlagUpdate(uid: message.uid, modSeq: newModSeq, flags: newFlags, previousModSeq: message.modSeq))
                box.highestModSeq = newModSeq
                changed.insert(mailbox)
            }
            return outcome
        }
        return (outcome.updated, outcome.modified)
    }

    /// COPY (RFC 9051 §6.4.7, RFC 4315 COPYUID): content is shared, so copies share the EMAILID
    /// (RFC 8474 §5.1); flags and internal dates are kept; SAVEDATE is the copy time (RFC 8514).
    public func copy(account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID) async throws -> CopyResult {
        try change { state, changed in
            let source = try state.selectable(account, from)
            let validity = try state.selectable(account, to).uidValidity
            let messages = source.positions(of: uids).map { source.messages[$0] }
            guard !messages.isEmpty else { return CopyResult(uidValidity: validity, pairs: []) }
            try state.checkQuota(
                account, bytes: messages.reduce(0) { $0 + Int64($1.size) }, messages: Int64(messages.count))
            let pairs = try state.insertCopies(messages, into: to)
            changed.insert(to)
            return CopyResult(uidValidity: validity, pairs: pairs)
        }
    }

    /// EXPUNGE / UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315 §2.1): tombstones carry the new MODSEQ
    /// (RFC 7162 §3.2.10 needs them for VANISHED).
    public func expunge(account: AccountID, mailbox: MailboxID, uids: UIDSet?) async throws -> [UID] {
        try change { state, changed in
            let box = try state.selectable(account, mailbox)
            let deleted = box.messages.lazy.filter { $0.flags.system.contains(.deleted) }.map(\.uid)
                .filter { uids?.contains($0) ?? true }
            let gone = Array(deleted)
            guard !gone.isEmpty else { return [] }
            let modSeq = box.highestModSeq + 1
            retainRemoved(state, account: account, mailbox: mailbox, uids: gone, modSeq: modSeq)
            state.removeMessages(mailbox, uids: gone, modSeq: modSeq)
            changed.insert(mailbox)
            return gone
        }
    }

    /// MOVE / UID MOVE (RFC 6851 §3.3), atomically: the messages are copied into `to` (new UIDs from its
    /// UIDNEXT, ascending in source order; flags, internal date and content kept, so the EMAILID stays;
    /// SAVEDATE is now) and removed from `from` with tombstones carrying a new MODSEQ of the source.
    /// Missing UIDs are skipped. Within one mailbox the messages are renumbered, and the new messages
    /// and the tombstones share one new MODSEQ.
    public func move(
        account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID
    ) async throws
        -> (copied: CopyResult, expunged: [UID])
    {
        let outcome = try change { state, changed -> MoveOutcome in
            let source = try state.selectable(account, from)
            let target = try state.selectable(account, to).info
            let messages = source.positions(of: uids).map { source.messages[$0] }
            guard !messages.isEmpty else {
                return MoveOutcome(copied: CopyResult(uidValidity: target.uidValidity, pairs: []), expunged: [])
            }
            let pairs = try state.insertCopies(messages, into: to)
            let sourceModSeq = from == to ? target.highestModSeq + 1 : source.highestModSeq + 1
            let moved = messages.map(\.uid)
            retainRemoved(state, account: account, mailbox: from, uids: moved, modSeq: sourceModSeq)
            state.removeMessages(from, uids: moved, modSeq: sourceModSeq)
            changed.formUnion([from, to])
            return MoveOutcome(copied: CopyResult(uidValidity: target.uidValidity, pairs: pairs), expunged: moved)
        }
        return (outcome.copied, outcome.expunged)
    }
}

private struct StoreOutcome: Sendable {
    var updated: [FlagUpdate] = []
    var modified: [UID] = []
}

private struct MoveOutcome: Sendable {
    var copied: CopyResult
    var expunged: [UID]
}
