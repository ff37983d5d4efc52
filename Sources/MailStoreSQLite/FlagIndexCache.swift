import MailStore
import Synchronization

/// Flags and MODSEQs of recently used mailboxes in memory, private to the SQLite engine and shared
/// by every caller of one store: `flagIndex` (what `FETCH 1:* (FLAGS)`, a client's resynchronisation
/// after SELECT, and searches of flag keys need) and `snapshot` (SELECT's view) are answered from it
/// instead of reading every message row again. What it buys: `Benchmarks/run.sh bigmailbox`, SELECT
/// and FETCH FLAGS of a big mailbox.
///
/// Each entry mirrors the store: every message the store had at the entry's `highestModSeq`. It is
/// current while the change hub's generation for the mailbox is the one it was made at (every writer
/// publishes after it commits); when the generation moved, what changed since is read
/// (`changes(since:)`) and applied (`MailboxFlagIndex.apply`). Callers take copies (the arrays are
/// shared until one of them changes), so no lock is held while a caller encodes or awaits.
///
/// Entries are made on first use, not at SELECT, so idle sessions cost nothing. When the entries
/// together hold more than `messageLimit` messages (about 24 bytes each), the least recently used
/// ones are dropped; the entry in use is kept even when it alone is larger.
final class FlagIndexCache: Sendable {
    struct Key: Hashable {
        var account: AccountID
        var mailbox: MailboxID
    }

    private struct Entry {
        var index: MailboxFlagIndex
        var generation: UInt64
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var messages = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    let messageLimit: Int

    init(messageLimit: Int = 1_000_000) {
        self.messageLimit = messageLimit
    }

    /// The entry for `key` and whether it is current at `generation`.
    func lookup(_ key: Key, generation: UInt64) -> (index: MailboxFlagIndex, current: Bool)? {
        state.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            state.clock &+= 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return (entry.index, entry.generation == generation)
        }
    }

    func contains(_ key: Key) -> Bool {
        state.withLock { $0.entries[key] != nil }
    }

    /// Keeps `index`, made after the hub was at `generation`, unless a newer one is there already
    /// (two sessions may bring the same mailbox up to date at once).
    func install(_ key: Key, index: MailboxFlagIndex, generation: UInt64) {
        state.withLock { state in
            state.clock &+= 1
            if let old = state.entries[key] {
                if old.index.highestModSeq > index.highestModSeq { return }
                state.messages -= old.index.uids.count
            }
            let newest = max(generation, state.entries[key]?.generation ?? 0)
            state.entries[key] = Entry(index: index, generation: newest, lastUse: state.clock)
            state.messages += index.uids.count
            while state.messages > messageLimit, state.entries.count > 1 {
                guard
                    let oldest = state.entries.filter({ $0.key != key }).min(by: { $0.value.lastUse < $1.value.lastUse }
                    )
                else { break }
                state.messages -= oldest.value.index.uids.count
                state.entries[oldest.key] = nil
            }
        }
    }

    func remove(_ key: Key) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.messages -= old.index.uids.count }
        }
    }

    func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.messages = 0
        }
    }

    /// Messages held, over all entries.
    var messageCount: Int { state.withLock { $0.messages } }
}
