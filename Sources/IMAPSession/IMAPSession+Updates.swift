import IMAPWire
import MailStore
import NIOCore

/// Reporting other sessions' changes to the selected mailbox (RFC 9051 §7.5.1, RFC 2180 §4).
extension IMAPSession {
    /// Asks the store what changed since this session last looked and reports it: EXPUNGE (only when
    /// `allowExpunge`; otherwise they wait), then EXISTS (and RECENT), then FETCH (FLAGS).
    func reportUpdates(allowExpunge: Bool) async {
        await pollUpdates(allowExpunge: allowExpunge)
        toldRetention()
    }

    /// Tells the store's `ExpungeRetention` how far this session has reported expunges: up to the
    /// MODSEQ it knows once none is withheld.
    func toldRetention() {
        guard let view = selected, view.pendingExpunges.isEmpty, view.knownModSeq > view.toldModSeq else { return }
        view.retentionViewer?.told(through: view.knownModSeq)
        state.updateSelected { $0.toldModSeq = view.knownModSeq }
    }

    /// A message of the view that another session expunged and this one has not reported yet, kept
    /// readable by the store (RFC 2180 §4.1.1); nil when none is kept.
    func retainedMessage(_ uid: UID) -> ExpungeRetention.Message? {
        guard let view = selected else { return nil }
        return store.changeHub.retention.message(account: accountID, mailbox: view.id, uid: uid)
    }

    private func pollUpdates(allowExpunge: Bool) async {
        guard var view = selected else { return }
        // Nothing published since the last look: only withheld expunges may be due.
        let generation = store.changeHub.generation(mailbox: view.id)
        if generation == view.hubGeneration {
            if allowExpunge && !view.pendingExpunges.isEmpty { reportExpunged(Array(view.pendingExpunges).sorted()) }
            return
        }
        view.hubGeneration = generation
        state.select(view)
        do {
            guard let sync = try await store.syncState(account: accountID, mailbox: view.id),
                sync.uidValidity == view.uidValidity
            else {
                // The mailbox was deleted (or emptied into a \Noselect parent, or deleted and created
                // again with a new UIDVALIDITY) by another session (RFC 2180 §3.2, RFC 9051 §2.3.1.1).
                state.deselect()
                bye("The selected mailbox was deleted")
                mailboxVanished = true
                return
            }
            if sync.highestModSeq != view.knownModSeq {
                let changes = try await store.changes(account: accountID, mailbox: view.id, since: view.knownModSeq)
                view.knownModSeq = max(view.knownModSeq, changes.highestModSeq)
                for uid in changes.expunged where view.sequenceNumber(of: uid) != nil {
                    view.pendingExpunges.insert(uid)
                }
                let last = view.lastUID ?? 0
                let newUIDs = changes.changed.filter { $0.uid > last }.map(\.uid)
                    .filter { !view.pendingExpunges.contains($0) }
                var flagChanges: [MessageMeta] = []
                for meta in changes.changed where meta.uid <= last {
                    if view.pendingExpunges.contains(meta.uid) { continue }
                    if let reported = view.reported[meta.uid], reported >= meta.modSeq { continue }
                    flagChanges.append(meta)
                }
                view.reported.removeAll()
                if allowExpunge && !view.pendingExpunges.isEmpty {
                    state.select(view)
                    reportExpunged(Array(view.pendingExpunges).sorted())
                    view = selected ?? view
                }
                if view.appendNew(newUIDs) > 0 {
                    // IMAP4rev1 \Recent: the first read-write session to see new mail gets it (RFC 3501 §2.3.2).
                    if !view.readOnly && !extensions.rev2, let last = newUIDs.last,
                        let claimed = try await store.claimRecent(account: accountID, mailbox: view.id, through: last)
                    {
                        let mine = newUIDs.filter { claimed.contains($0) }
                        view.recent.formUnion(mine)
                        var claims = recentClaims[view.id] ?? UIDSet()
                        for uid in mine { claims.insert(uid) }
                        recentClaims[view.id] = claims
                    }
                    sendCounts(view)
                }
                state.select(view)
                // Keywords of new messages too (RFC 9051 §7.3.5).
                announceKeywords(changes.changed.map(\.flags))
                view.keywords = selected?.keywords ?? view.keywords
                sendFlagChanges(flagChanges, view: view)
                state.select(view)
            } else if allowExpunge && !view.pendingExpunges.isEmpty {
                state.select(view)
                reportExpunged(Array(view.pendingExpunges).sorted())
            }
        } catch {
            logger.error("could not read mailbox changes: \(error)")
        }
    }

    /// ` MODSEQ (n)` once CONDSTORE is enabled (RFC 7162 §3.1.4: every FETCH with FLAGS carries it).
    // The two senders below are not async on purpose: response values are built in an ordinary
    // stack frame, not in the session task's async frames, whose allocator keeps the memory of the
    // largest frame for the life of the session (`Benchmarks/run.sh idle`).

    /// The answer to STATUS RECENT once IMAP4rev2 is enabled (RFC 9051 Appendix E removed it).
    static let noRecentInRev2 = "RECENT is not an IMAP4rev2 STATUS item"

    /// `* n EXISTS` and, for IMAP4rev1, `* n RECENT`.
    func sendCounts(_ view: SelectedMailbox) {
        send(.exists(UInt32(view.count)))
        if !extensions.rev2 { send(.recent(UInt32(view.recent.count))) }
    }

    /// The new flags of messages another session changed (with MODSEQ under CONDSTORE).
    func sendFlagChanges(_ changes: [MessageMeta], view: SelectedMailbox) {
        for meta in changes {
            guard let seq = view.sequenceNumber(of: meta.uid) else { continue }
            var attributes: [MessageAttribute] = [.uid(meta.uid), .flags(wireFlags(meta.flags, uid: meta.uid))]
            if extensions.condstore { attributes.append(.modSeq(meta.modSeq)) }
            send(.fetch(FetchResponse(sequenceNumber: UInt32(seq), attributes: attributes)))
        }
    }

    /// A message's flags as FETCH shows them: \Recent for this session's recent messages (IMAP4rev1 only;
    /// IMAP4rev2 has no \Recent, RFC 9051 Appendix E).
    func wireFlags(_ flags: MessageFlags, uid: UID) -> [Flag] {
        Self.wireFlags(flags, recent: !extensions.rev2 && (selected?.recent.contains(uid) ?? false))
    }

    /// `\Seen \Answered \Flagged \Deleted \Draft`, then `\Recent`, then the keywords in order.
    static func wireFlags(_ flags: MessageFlags, recent: Bool) -> [Flag] {
        var result: [Flag] = []
        let system = flags.system
        if system.contains(.seen) { result.append(.seen) }
        if system.contains(.answered) { result.append(.answered) }
        if system.contains(.flagged) { result.append(.flagged) }
        if system.contains(.deleted) { result.append(.deleted) }
        if system.contains(.draft) { result.append(.draft) }
        if recent { result.append(.recent) }
        if !flags.keywords.isEmpty { result += flags.keywords.sorted().map(Flag.keyword) }
        return result
    }

    /// Converts wire flags to stored flags. \Recent cannot be stored and is ignored (RFC 3501 §2.3.2);
    /// other `\Name` flags are not defined and are refused.
    static func messageFlags(_ flags: [Flag]) -> MessageFlags? {
        var result = MessageFlags()
        for flag in flags {
            switch flag {
            case .seen: result.system.insert(.seen)
            case .answered: result.system.insert(.answered)
            case .flagged: result.system.insert(.flagged)
            case .deleted: result.system.insert(.deleted)
            case .draft: result.system.insert(.draft)
            case .recent: break
            case .keyword(let keyword):
                if !result.keywords.contains(where: { $0.lowercased() == keyword.lowercased() }) {
                    result.keywords.insert(keyword)
                }
            case .extension: return nil
            }
        }
        return result
    }

    /// A sequence set as (sequence number, UID) pairs of the view, ascending. Message sequence numbers
    /// beyond the mailbox are a client error (RFC 9051 §9, seq-number); UIDs that do not exist are
    /// simply not there (RFC 9051 §6.4.9). `*` is the last message (or highest UID).
    func resolve(_ set: SequenceSet, uid: Bool) throws(SequenceError) -> [(seq: Int, uid: UID)] {
        guard let view = selected else { return [] }
        let ranges: [SequenceRange]
        switch set {
        case .ranges(let r): ranges = r
        case .lastCommandResult:
            // SEARCHRES (RFC 5182 §2.1): the UIDs the last SEARCH ... RETURN (SAVE) kept, still present.
            return view.savedSearch.compactMap { u in view.sequenceNumber(of: u).map { ($0, u) } }
        }
        if uid {
            guard let lastUID = view.lastUID else { return [] }
            var wanted = UIDSet()
            for range in ranges {
                let a = value(range.first, last: lastUID)
                let b = value(range.last, last: lastUID)
                wanted.insert(min(a, b)...max(a, b))
            }
            // Per range: a binary search for its first UID, then a walk (UID FETCH of one message in a
            // big mailbox costs a search, not a pass over every UID).
            var result: [(seq: Int, uid: UID)] = []
            let uids = view.uids
            for range in wanted.ranges {
                var lo = 0
                var hi = uids.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if uids[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid }
                }
                while lo < uids.count && uids[lo] <= range.upperBound {
                    result.append((lo + 1, uids[lo]))
                    lo += 1
                }
            }
            return result
        }
        let count = UInt32(view.count)
        var numbers = UIDSet()
        for range in ranges {
            if count == 0 { throw SequenceError(message: "The mailbox is empty") }
            let a = value(range.first, last: count)
            let b = value(range.last, last: count)
            if max(a, b) > count { throw SequenceError(message: "Message sequence number out of range") }
            numbers.insert(min(a, b)...max(a, b))
        }
        return numbers.map { (seq: Int($0), uid: view.uids[Int($0) - 1]) }
    }

    /// `resolve`, answering BAD itself when the set is out of range (then nil).
    func resolveOrReject(_ tag: String, _ set: SequenceSet, uid: Bool) -> [(seq: Int, uid: UID)]? {
        do {
            return try resolve(set, uid: uid)
        } catch {
            tagged(tag, .bad, text: error.message)
            return nil
        }
    }

    /// The target of COPY, MOVE or APPEND-like commands; answers NO [TRYCREATE] itself when it does not
    /// exist or cannot hold messages (RFC 9051 §6.4.7).
    func destinationMailbox(_ tag: String, _ name: String) async throws -> MailboxInfo? {
        guard let mailbox = try await store.mailbox(account: accountID, name: name), !mailbox.isNoSelect else {
            tagged(tag, .no, code: .tryCreate, text: "No such mailbox")
            return nil
        }
        return mailbox
    }

    private func value(_ number: SequenceNumber, last: UInt32) -> UInt32 {
        switch number {
        case .number(let n): return n
        case .last: return last
        }
    }
}

struct SequenceError: Error {
    var message: String
}
