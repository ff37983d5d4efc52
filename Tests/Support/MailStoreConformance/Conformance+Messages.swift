import Foundation
import MailStore
import Testing

extension MailStoreConformance {
    public static func appendAndUIDs(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try #require(try await store.mailbox(account: account, name: "INBOX"))
        let date = Date(timeIntervalSince1970: 1_234_567_890)
        let first = try await append(store, account, inbox.id, message(1), flags: .seen, date: date)
        #expect(first.uid == 1 && first.uidValidity == inbox.uidValidity)
        let uids = [first.uid] + (try await fill(store, account, inbox.id, count: 4))
        #expect(uids == [1, 2, 3, 4, 5])
        let metas = try await store.messages(account: account, mailbox: inbox.id, uids: UIDSet([1]))
        #expect(metas.first?.internalDate == date)
        #expect(metas.first?.flags == .seen)
        #expect(metas.first?.size == message(1).utf8.count)
        #expect(try await store.content(account: account, mailbox: inbox.id, uid: 1) == Data(message(1).utf8))
        #expect(try await store.content(account: account, mailbox: inbox.id, uid: 99) == nil)

        // Expunge the newest: its UID is never given again.
        _ = try await store.store(
            account: account, mailbox: inbox.id, uids: UIDSet([5]), operation: .add, flags: .deleted,
            unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: inbox.id, uids: nil) == [5])
        #expect(try await append(store, account, inbox.id, message(6)).uid == 6)
        #expect(
            try await store.snapshot(account: account, mailbox: inbox.id, markRecentSeen: false).uids == [
                1, 2, 3, 4, 6,
            ])

        // Each append raises HIGHESTMODSEQ and stamps the message with it.
        let before = try #require(try await store.highestModSeq(account: account, mailbox: inbox.id))
        let uid = try await append(store, account, inbox.id, message(7)).uid
        let after = try #require(try await store.highestModSeq(account: account, mailbox: inbox.id))
        #expect(after > before)
        #expect(
            try await store.messages(account: account, mailbox: inbox.id, uids: UIDSet([uid])).first?.modSeq == after)

        // Keywords differing only in case are merged on the way in.
        let kw = try await append(
            store, account, inbox.id, message(8), flags: MessageFlags(keywords: ["$Label1", "$label1", "Work"]))
        let kwFlags = try await store.messages(account: account, mailbox: inbox.id, uids: UIDSet([kw.uid])).first?.flags
        #expect(kwFlags?.keywords.count == 2)

        // Selecting a range and scattered sets.
        let many = try await fill(store, account, inbox.id, count: 80)
        let scattered = UIDSet(many.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        #expect(scattered.ranges.count > 32)
        #expect(
            try await store.messages(account: account, mailbox: inbox.id, uids: scattered).map(\.uid)
                == Array(scattered))
        let span = UIDSet(ranges: [2...3, 6...7, 1000...2000])
        #expect(try await store.messages(account: account, mailbox: inbox.id, uids: span).map(\.uid) == [2, 3, 6, 7])
    }

    public static func flagsAndModSeq(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await fill(store, account, box, count: 3)
        let all = UIDSet(ranges: [1...3])
        let m0 = try #require(try await store.highestModSeq(account: account, mailbox: box))

        let add = try await store.store(
            account: account, mailbox: box, uids: all, operation: .add,
            flags: MessageFlags(system: [.seen, .flagged], keywords: ["Work"]), unchangedSince: nil)
        let m1 = try #require(try await store.highestModSeq(account: account, mailbox: box))
        #expect(m1 > m0)
        #expect(add.modified.isEmpty)
        #expect(add.updated.allSatisfy { $0.previousModSeq < m1 }, "the MODSEQ each message had before")
        #expect(add.updated.map(\.uid) == [1, 2, 3])
        #expect(
            add.updated.allSatisfy {
                $0.modSeq == m1 && $0.flags.system == [.seen, .flagged] && $0.flags.keywords == ["Work"]
            })

        // A STORE that changes nothing does not raise HIGHESTMODSEQ, yet reports the flags.
        let same = try await store.store(
            account: account, mailbox: box, uids: all, operation: .add,
            flags: MessageFlags(system: .seen, keywords: ["work"]),
            unchangedSince: nil)
        #expect(try await store.highestModSeq(account: account, mailbox: box) == m1)
        #expect(same.updated.count == 3 && same.updated.allSatisfy { $0.modSeq == m1 && $0.flags.keywords == ["Work"] })

        // Remove on one message only: only it changes.
        let removed = try await store.store(
            account: account, mailbox: box, uids: UIDSet([2]), operation: .remove,
            flags: MessageFlags(system: .flagged, keywords: ["WORK"]), unchangedSince: nil)
        let m2 = try #require(try await store.highestModSeq(account: account, mailbox: box))
        #expect(m2 > m1)
        #expect(removed.updated == [FlagUpdate(uid: 2, modSeq: m2, flags: .seen, previousModSeq: m1)])
        let metas = try await store.messages(account: account, mailbox: box, uids: all)
        #expect(metas.map(\.modSeq) == [m1, m2, m1])

        // Replace.
        let replaced = try await store.store(
            account: account, mailbox: box, uids: UIDSet([1]), operation: .replace, flags: .deleted, unchangedSince: nil
        )
        #expect(replaced.updated.first?.flags == .deleted)

        // UNCHANGEDSINCE: messages modified after the given MODSEQ are left alone and reported.
        let m3 = try #require(try await store.highestModSeq(account: account, mailbox: box))
        let conditional = try await store.store(
            account: account, mailbox: box, uids: all, operation: .add, flags: MessageFlags(system: .answered),
            unchangedSince: m2)
        #expect(conditional.modified == [1])
        #expect(conditional.updated.map(\.uid) == [2, 3])
        let m4 = try #require(try await store.highestModSeq(account: account, mailbox: box))
        #expect(m4 > m3)
        let final = try await store.messages(account: account, mailbox: box, uids: all)
        #expect(final[0].flags == .deleted && final[0].modSeq == m3)
        #expect(final[1].flags.system.contains(.answered) && final[2].flags.system.contains(.answered))
        // A store on missing UIDs is silent.
        let none = try await store.store(
            account: account, mailbox: box, uids: UIDSet([50]), operation: .add, flags: .seen, unchangedSince: nil)
        #expect(none.updated.isEmpty && none.modified.isEmpty)
    }

    public static func copyMessages(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let archive = try #require(try await store.mailbox(account: account, name: "Archive"))
        let date = Date(timeIntervalSince1970: 1_600_000_000)
        _ = try await append(store, account, archive.id, message(0))
        _ = try await append(
            store, account, inbox, message(1), flags: MessageFlags(system: .flagged, keywords: ["K"]), date: date)
        _ = try await append(store, account, inbox, message(2), flags: .seen, date: date)
        _ = try await append(store, account, inbox, message(3))
        let result = try await store.copy(account: account, from: inbox, uids: UIDSet([1, 2, 40]), to: archive.id)
        #expect(result.uidValidity == archive.uidValidity)
        #expect(result.pairs.map(\.source) == [1, 2])
        #expect(result.pairs.map(\.destination) == [2, 3])
        let copied = try await store.messages(account: account, mailbox: archive.id, uids: UIDSet([2, 3]))
        #expect(copied.map(\.flags) == [MessageFlags(system: .flagged, keywords: ["K"]), .seen])
        #expect(copied.allSatisfy { $0.internalDate == date })
        #expect(try await store.content(account: account, mailbox: archive.id, uid: 3) == Data(message(2).utf8))
        // The copy survives the original's expunge (shared content is not freed early).
        _ = try await store.store(
            account: account, mailbox: inbox, uids: UIDSet([1, 2]), operation: .add, flags: .deleted,
            unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: inbox, uids: nil) == [1, 2])
        #expect(try await store.content(account: account, mailbox: archive.id, uid: 2) == Data(message(1).utf8))
        #expect(try await store.content(account: account, mailbox: inbox, uid: 1) == nil)
        // Copy of nothing.
        #expect(try await store.copy(account: account, from: inbox, uids: UIDSet([99]), to: archive.id).pairs.isEmpty)
    }

    public static func expungeRules(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await fill(store, account, box, count: 5)
        #expect(try await store.expunge(account: account, mailbox: box, uids: nil) == [], "nothing has \\Deleted")
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([2, 3, 5]), operation: .add, flags: .deleted,
            unchangedSince: nil)
        let m = try #require(try await store.highestModSeq(account: account, mailbox: box))
        #expect(try await store.expunge(account: account, mailbox: box, uids: UIDSet([1, 3, 4])) == [3])
        let m2 = try #require(try await store.highestModSeq(account: account, mailbox: box))
        #expect(m2 > m)
        #expect(try await store.expunge(account: account, mailbox: box, uids: nil) == [2, 5])
        #expect(try await store.snapshot(account: account, mailbox: box, markRecentSeen: false).uids == [1, 4])
        let changes = try await store.changes(account: account, mailbox: box, since: m)
        #expect(changes.expunged == [2, 3, 5])
        #expect(changes.changed.isEmpty)
        let onlyLast = try await store.changes(account: account, mailbox: box, since: m2)
        #expect(onlyLast.expunged == [2, 5])
    }

    public static func changesSince(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await fill(store, account, box, count: 4)
        let m = try #require(try await store.highestModSeq(account: account, mailbox: box))
        #expect(try await store.changes(account: account, mailbox: box, since: m).changed.isEmpty)
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([3]), operation: .add, flags: .seen, unchangedSince: nil)
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([1]), operation: .add, flags: .deleted, unchangedSince: nil)
        _ = try await store.expunge(account: account, mailbox: box, uids: nil)
        _ = try await append(store, account, box, message(9))
        let changes = try await store.changes(account: account, mailbox: box, since: m)
        #expect(changes.changed.map(\.uid) == [3, 5])
        #expect(changes.changed.first?.flags == .seen)
        #expect(changes.expunged == [1])
        #expect(changes.uidNext == 6)
        #expect(changes.highestModSeq == (try await store.highestModSeq(account: account, mailbox: box)))
        #expect(changes.changed.allSatisfy { $0.modSeq > m })
        let everything = try await store.changes(account: account, mailbox: box, since: 0)
        #expect(everything.changed.map(\.uid) == [2, 3, 4, 5])
    }

    public static func snapshotAndStatus(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await append(store, account, box, message(1), flags: .seen)
        _ = try await fill(store, account, box, count: 2)
        var status = try await store.status(account: account, mailbox: box)
        #expect(status.messages == 3 && status.unseen == 2 && status.recent == 3 && status.uidNext == 4)
        #expect(status.size == Int64([1, 0, 1].map { message($0).utf8.count }.reduce(0, +)))

        let examined = try await store.snapshot(account: account, mailbox: box, markRecentSeen: false)
        #expect(examined.uids == [1, 2, 3] && examined.recentUIDs.isEmpty)
        #expect(try await store.status(account: account, mailbox: box).recent == 3, "EXAMINE leaves \\Recent")

        let selected = try await store.snapshot(account: account, mailbox: box, markRecentSeen: true)
        #expect(selected.recentUIDs == [1, 2, 3])
        let second = try await store.snapshot(account: account, mailbox: box, markRecentSeen: true)
        #expect(second.recentUIDs.isEmpty, "only one session sees a message as recent")
        _ = try await append(store, account, box, message(4))
        status = try await store.status(account: account, mailbox: box)
        #expect(status.recent == 1 && status.messages == 4)
        #expect(try await store.snapshot(account: account, mailbox: box, markRecentSeen: true).recentUIDs == [4])
        #expect(try await store.status(account: account, mailbox: box).highestModSeq == status.highestModSeq)

        // New mail seen by selected sessions: the first to claim it gets it, the next gets nothing.
        _ = try await append(store, account, box, message(5))
        _ = try await append(store, account, box, message(6))
        #expect(try await store.claimRecent(account: account, mailbox: box, through: 5) == 5...5)
        #expect(try await store.claimRecent(account: account, mailbox: box, through: 6) == 6...6)
        #expect(try await store.claimRecent(account: account, mailbox: box, through: 6) == nil)
        #expect(try await store.status(account: account, mailbox: box).recent == 0)
        #expect(try await store.status(account: account, mailbox: box).highestModSeq > status.highestModSeq)
    }

    /// Opening a mailbox from the `MailboxInfo` just read gives the view opening it by id gives: cold,
    /// with the flags read once (an engine's cache), after new mail and after a flag change, and with
    /// the recent messages claimed once.
    public static func snapshotOpeningInfo(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await fill(store, account, box, count: 3)
        func info() async throws -> MailboxInfo {
            try #require(try await store.mailbox(account: account, name: "INBOX"))
        }
        let stale = try await info()
        #expect(
            try await store.snapshot(account: account, opening: stale, markRecentSeen: false)
                == store.snapshot(account: account, mailbox: box, markRecentSeen: false))
        _ = try await store.flagIndex(account: account, mailbox: box)
        #expect(
            try await store.snapshot(account: account, opening: try await info(), markRecentSeen: false)
                == store.snapshot(account: account, mailbox: box, markRecentSeen: false))
        // New mail and a flag change after `stale` was read: the view still shows them.
        _ = try await append(store, account, box, message(4), flags: MessageFlags(keywords: ["$Later"]))
        _ = try await store.flagIndex(account: account, mailbox: box)
        let opened = try await store.snapshot(account: account, opening: stale, markRecentSeen: true)
        let byID = try await store.snapshot(account: account, mailbox: box, markRecentSeen: false)
        #expect(opened.uids == [1, 2, 3, 4] && opened.keywords == ["$Later"])
        #expect(opened.info.uidNext == 5 && opened.info.highestModSeq == byID.info.highestModSeq)
        #expect(opened.recentUIDs == [1, 2, 3, 4])
        #expect(try await store.snapshot(account: account, opening: stale, markRecentSeen: true).recentUIDs.isEmpty)
    }

    /// SELECT's view: keywords in use and the first unseen message; the flag prefilter of SEARCH.
    public static func snapshotKeywordsAndFlagFilter(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        var snapshot = try await store.snapshot(account: account, mailbox: box, markRecentSeen: false)
        #expect(snapshot.keywords.isEmpty && snapshot.firstUnseenUID == nil)
        _ = try await append(store, account, box, message(1), flags: MessageFlags(system: .seen, keywords: ["$Work"]))
        _ = try await append(store, account, box, message(2), flags: MessageFlags(system: .flagged))
        _ = try await append(store, account, box, message(3), flags: MessageFlags(keywords: ["$Junk", "$Work"]))
        snapshot = try await store.snapshot(account: account, mailbox: box, markRecentSeen: false)
        #expect(snapshot.keywords == ["$Work", "$Junk"] && snapshot.firstUnseenUID == 2)
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([2]), operation: .add, flags: MessageFlags(system: .seen),
            unchangedSince: nil)
        snapshot = try await store.snapshot(account: account, mailbox: box, markRecentSeen: true)
        #expect(snapshot.firstUnseenUID == 3 && snapshot.recentUIDs == [1, 2, 3])

        let all = UIDSet(ranges: [1...10])
        func uids(_ with: SystemFlags, _ without: SystemFlags) async throws -> [UID] {
            try await store.messages(account: account, mailbox: box, uids: all, with: with, without: without).map(\.uid)
        }
        #expect(try await uids([], .seen) == [3])
        #expect(try await uids(.seen, []) == [1, 2])
        #expect(try await uids([.seen, .flagged], []) == [2])
        #expect(try await uids([], [.seen, .flagged]) == [3])
        #expect(try await uids([], []) == [1, 2, 3])
        #expect(try await uids(.seen, .flagged) == [1])
        // The UIDs alone, over a range and over a scattered set.
        func only(_ set: UIDSet, _ with: SystemFlags, _ without: SystemFlags) async throws -> [UID] {
            try await store.uids(account: account, mailbox: box, uids: set, with: with, without: without)
        }
        #expect(try await only(all, [], .seen) == [3])
        #expect(try await only(all, .seen, []) == [1, 2])
        #expect(try await only(all, [], []) == [1, 2, 3])
        #expect(try await only(UIDSet([1, 3]), [], []) == [1, 3])
        #expect(try await only(UIDSet([2, 3]), [], .flagged) == [3])
        #expect(try await only(UIDSet(ranges: [5...9]), [], []).isEmpty)
    }

    /// The flag index has every message's flags and MODSEQ, ascending, and the HIGHESTMODSEQ; it
    /// equals what `messages` reports, and a \Noselect or another account's mailbox is refused.
    public static func flagIndex(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        #expect(try await store.flagIndex(account: account, mailbox: box).uids.isEmpty)
        _ = try await append(store, account, box, message(1), flags: MessageFlags(system: .seen, keywords: ["$Work"]))
        _ = try await append(store, account, box, message(2), flags: MessageFlags(system: .flagged))
        _ = try await append(store, account, box, message(3), flags: MessageFlags(keywords: ["$Work", "$Junk"]))
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([2]), operation: .add, flags: MessageFlags(system: .seen),
            unchangedSince: nil)
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([1]), operation: .add,
            flags: MessageFlags(system: .deleted), unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: box, uids: nil) == [1])
        let index = try await store.flagIndex(account: account, mailbox: box)
        let metas = try await store.messages(account: account, mailbox: box, uids: UIDSet(ranges: [1...100]))
        #expect(index.uids == [2, 3])
        #expect(index.uids == metas.map(\.uid) && index.flags == metas.map(\.flags))
        #expect(index.modSeqs == metas.map(\.modSeq))
        #expect(index.highestModSeq == (try await store.highestModSeq(account: account, mailbox: box)))
        let other = try await makeAccount(store, "other")
        await #expect(throws: MailStoreError.mailboxNotFound) {
            _ = try await store.flagIndex(account: other, mailbox: box)
        }
    }

    /// Every present message of the set, ascending, with its bytes; expunged ones and UIDs that never
    /// existed are skipped; another account's mailbox is refused.
    public static func forEachContent(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        for n in 1...4 { _ = try await append(store, account, box, message(n)) }
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([2]), operation: .add, flags: MessageFlags(system: .deleted),
            unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: box, uids: nil) == [2])
        var seen: [(UID, String)] = []
        try await store.forEachContent(account: account, mailbox: box, uids: UIDSet(ranges: [1...3, 4...9])) {
            uid, content in
            seen.append((uid, String(decoding: try await content.readAll(), as: UTF8.self)))
        }
        #expect(seen.map(\.0) == [1, 3, 4])
        #expect(seen.map(\.1) == [message(1), message(3), message(4)])
        let other = try await makeAccount(store, "other")
        await #expect(throws: MailStoreError.mailboxNotFound) {
            try await store.forEachContent(account: other, mailbox: box, uids: UIDSet([1])) { _, _ in }
        }
    }

    /// Eight concurrent appenders: every UID distinct, every message readable.
    public static func concurrentAppends(
        _ store: any MailStore & AccountStore, appenders: Int = 8, each: Int = 25
    ) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        let results = try await withThrowingTaskGroup(of: [(UID, String)].self) { group in
            for worker in 0..<appenders {
                group.addTask {
                    var mine: [(UID, String)] = []
                    for i in 0..<each {
                        let text = message(worker * 1000 + i)
                        mine.append((try await append(store, account, box, text).uid, text))
                    }
                    return mine
                }
            }
            var all: [(UID, String)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(results.count == appenders * each)
        #expect(Set(results.map(\.0)).count == results.count, "UIDs are distinct")
        for (uid, text) in results {
            #expect(try await store.content(account: account, mailbox: box, uid: uid) == Data(text.utf8))
        }
        let snapshot = try await store.snapshot(account: account, mailbox: box, markRecentSeen: false)
        #expect(snapshot.uids == results.map(\.0).sorted())
        #expect(snapshot.info.uidNext == UID(results.count + 1))
    }
}
