/// The flags and MODSEQ of every message of a mailbox, ascending by UID, current as of
/// `highestModSeq`: what a session keeps in memory to answer `FETCH 1:* (FLAGS)` and flag searches of
/// a big mailbox without reading message rows each time (`Benchmarks/run.sh bigmailbox`). Keyword sets are shared between
/// messages that have the same ones, so a mailbox with few distinct sets costs about 24 bytes a message.
public struct MailboxFlagIndex: Sendable, Equatable {
    public var uids: [UID]
    public var flags: [MessageFlags]
    public var modSeqs: [ModSeq]
    /// Every change with a MODSEQ up to this one is reflected (later ones may be too).
    public var highestModSeq: ModSeq

    public init(uids: [UID] = [], flags: [MessageFlags] = [], modSeqs: [ModSeq] = [], highestModSeq: ModSeq = 0) {
        precondition(uids.count == flags.count && uids.count == modSeqs.count)
        self.uids = uids
        self.flags = flags
        self.modSeqs = modSeqs
        self.highestModSeq = highestModSeq
    }
}

extension MailStore {
    /// From `highestModSeq` then `messages`: HIGHESTMODSEQ is read first, so whatever commits in
    /// between is newer than it and a later `changes(since:)` reports it again.
    public func flagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex {
        guard let highest = try await highestModSeq(account: account, mailbox: mailbox) else {
            throw MailStoreError.mailboxNotFound
        }
        let metas = try await messages(account: account, mailbox: mailbox, uids: UIDSet(ranges: [1...UID.max]))
        return MailboxFlagIndex(
            uids: metas.map(\.uid), flags: metas.map(\.flags), modSeqs: metas.map(\.modSeq), highestModSeq: highest)
    }
}

extension MailboxFlagIndex {
    /// The position of `uid`, or nil.
    public func position(of uid: UID) -> Int? {
        var lo = 0
        var hi = uids.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if uids[mid] == uid { return mid }
            if uids[mid] < uid { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    /// The UIDs whose system flags include all of `with` and none of `without`, ascending (what the
    /// store's `uids(account:mailbox:uids:with:without:)` answers for the whole mailbox).
    public func uids(with: SystemFlags, without: SystemFlags) -> [UID] {
        var found: [UID] = []
        for i in uids.indices {
            let system = flags[i].system
            if system.isSuperset(of: with) && system.isDisjoint(with: without) { found.append(uids[i]) }
        }
        return found
    }

    /// Brings the index up to date with what `changes(since: highestModSeq)` reported: each changed
    /// message carries its current flags and MODSEQ (so applying a change twice is harmless), new ones
    /// are added in UID order, expunged ones removed.
    public mutating func apply(_ changes: MailboxChanges) {
        if !changes.expunged.isEmpty {
            let gone = Set(changes.expunged)
            var kept = MailboxFlagIndex(highestModSeq: highestModSeq)
            kept.uids.reserveCapacity(uids.count)
            kept.flags.reserveCapacity(uids.count)
            kept.modSeqs.reserveCapacity(uids.count)
            for i in uids.indices where !gone.contains(uids[i]) {
                kept.uids.append(uids[i])
                kept.flags.append(flags[i])
                kept.modSeqs.append(modSeqs[i])
            }
            self = kept
        }
        for meta in changes.changed {
            if let i = position(of: meta.uid) {
                flags[i] = meta.flags
                modSeqs[i] = meta.modSeq
            } else {
                // Almost always past the end: UIDs are assigned ascending, but an engine may commit two
                // appends out of UID order.
                var i = uids.count
                while i > 0 && uids[i - 1] > meta.uid { i -= 1 }
                uids.insert(meta.uid, at: i)
                flags.insert(meta.flags, at: i)
                modSeqs.insert(meta.modSeq, at: i)
            }
        }
        highestModSeq = max(highestModSeq, changes.highestModSeq)
    }
}
