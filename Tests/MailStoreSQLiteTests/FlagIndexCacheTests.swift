import Foundation
import MailStore
import Testing

@testable import MailStoreSQLite

@Suite struct FlagIndexCacheTests {
    func meta(_ uid: UID, _ modSeq: ModSeq, _ system: SystemFlags, _ keywords: Set<String> = []) -> MessageMeta {
        MessageMeta(
            uid: uid, modSeq: modSeq, flags: MessageFlags(system: system, keywords: keywords),
            internalDate: Date(timeIntervalSince1970: 0), size: 1)
    }

    func index(_ uids: [UID] = [2, 4, 6], highest: ModSeq = 5) -> MailboxFlagIndex {
        MailboxFlagIndex(
            uids: uids, flags: uids.map { $0 == 4 ? MessageFlags(system: .seen) : MessageFlags() },
            modSeqs: uids.map { ModSeq($0 / 2 + 2) }, highestModSeq: highest)
    }

    @Test func changesReplaceFlagsAndModSeq() {
        var c = index()
        c.apply(
            MailboxChanges(highestModSeq: 9, uidNext: 7, changed: [meta(4, 9, [.flagged], ["$Work"])], expunged: []))
        #expect(c.uids == [2, 4, 6])
        #expect(c.flags[1] == MessageFlags(system: .flagged, keywords: ["$Work"]))
        #expect(c.modSeqs == [3, 9, 5])
        #expect(c.highestModSeq == 9)
    }

    @Test func newMessagesAreAddedInUIDOrderAndExpungedOnesRemoved() {
        var c = index()
        c.apply(
            MailboxChanges(
                highestModSeq: 12, uidNext: 10, changed: [meta(5, 11, .seen), meta(9, 12, [])], expunged: [2, 6]))
        #expect(c.uids == [4, 5, 9])
        #expect(c.modSeqs == [4, 11, 12])
        #expect(c.flags.map(\.system) == [.seen, .seen, []])
        #expect(c.position(of: 9) == 2 && c.position(of: 6) == nil)
    }

    /// The same change applied twice (a FETCH brought the index up to date, then a later read reports
    /// it again) leaves it as it was; an older HIGHESTMODSEQ does not move it back.
    @Test func applyingAChangeAgainIsHarmless() {
        var c = index()
        let changes = MailboxChanges(highestModSeq: 8, uidNext: 9, changed: [meta(8, 8, .draft)], expunged: [4])
        c.apply(changes)
        c.apply(changes)
        c.apply(MailboxChanges(highestModSeq: 6, uidNext: 9, changed: [], expunged: []))
        #expect(c.uids == [2, 6, 8])
        #expect(c.highestModSeq == 8)
    }

    @Test func sharedEntriesAreCurrentOnlyAtTheirGeneration() {
        let caches = FlagIndexCache()
        let key = FlagIndexCache.Key(account: 1, mailbox: 2)
        #expect(caches.lookup(key, generation: 0) == nil)
        caches.install(key, index: index(), generation: 3)
        #expect(caches.lookup(key, generation: 3)?.current == true)
        #expect(caches.lookup(key, generation: 4)?.current == false)
        // Another account's mailbox of the same id is another entry.
        #expect(caches.lookup(FlagIndexCache.Key(account: 9, mailbox: 2), generation: 3) == nil)
        #expect(caches.messageCount == 3)
    }

    /// Two sessions bringing the same mailbox up to date: the older result does not replace the newer.
    @Test func anOlderIndexDoesNotReplaceANewerOne() {
        let caches = FlagIndexCache()
        let key = FlagIndexCache.Key(account: 1, mailbox: 2)
        caches.install(key, index: index(highest: 9), generation: 5)
        caches.install(key, index: index([2], highest: 7), generation: 4)
        #expect(caches.lookup(key, generation: 5)?.index.uids == [2, 4, 6])
        caches.install(key, index: index([2, 4], highest: 10), generation: 4)
        // Newer data, made after generation 4 was seen: current at the later generation too.
        #expect(caches.lookup(key, generation: 5)?.current == true)
        #expect(caches.messageCount == 2)
    }

    @Test func leastRecentlyUsedEntriesGoPastTheLimit() {
        let caches = FlagIndexCache(messageLimit: 7)
        let a = FlagIndexCache.Key(account: 1, mailbox: 1)
        let b = FlagIndexCache.Key(account: 1, mailbox: 2)
        let c = FlagIndexCache.Key(account: 1, mailbox: 3)
        caches.install(a, index: index(), generation: 1)
        caches.install(b, index: index(), generation: 1)
        _ = caches.lookup(a, generation: 1)
        caches.install(c, index: index(), generation: 1)
        #expect(caches.lookup(b, generation: 1) == nil)
        #expect(caches.lookup(a, generation: 1) != nil && caches.lookup(c, generation: 1) != nil)
        #expect(caches.messageCount == 6)
        // One entry larger than the limit stays: its session needs it.
        caches.install(b, index: index(Array(1...20)), generation: 1)
        #expect(caches.lookup(b, generation: 1) != nil && caches.messageCount == 20)
        caches.remove(b)
        #expect(caches.messageCount == 0)
    }
}
