import Foundation
import MailStore
import Testing

/// MOVE (RFC 6851), SAVEDATE (RFC 8514) and EMAILID (RFC 8474).
extension MailStoreConformance {
    public static func moveMessages(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let archive = try #require(try await store.mailbox(account: account, name: "Archive"))
        let d1 = Date(timeIntervalSince1970: 1_500_000_000)
        let d2 = Date(timeIntervalSince1970: 1_600_000_000)
        _ = try await append(store, account, archive.id, message(0))
        _ = try await append(
            store, account, inbox, message(1), flags: MessageFlags(system: .flagged, keywords: ["K"]), date: d1)
        _ = try await append(store, account, inbox, message(2), flags: .seen, date: d2)
        _ = try await append(store, account, inbox, message(3), date: d2)
        let originals = try await store.messages(account: account, mailbox: inbox, uids: UIDSet([1, 3]))
        let sourceBefore = try #require(try await store.highestModSeq(account: account, mailbox: inbox))
        let targetBefore = try #require(try await store.highestModSeq(account: account, mailbox: archive.id))
        let start = Date()

        let result = try await store.move(account: account, from: inbox, uids: UIDSet([1, 3, 40]), to: archive.id)
        #expect(result.copied.uidValidity == archive.uidValidity)
        #expect(result.copied.pairs.map(\.source) == [1, 3], "missing UIDs are skipped")
        #expect(result.copied.pairs.map(\.destination) == [2, 3], "new UIDs ascending in source order")
        #expect(result.expunged == [1, 3])

        // Destination: flags, internal dates, content and EMAILID kept; SAVEDATE is the move time.
        let moved = try await store.messages(account: account, mailbox: archive.id, uids: UIDSet([2, 3]))
        #expect(moved.map(\.flags) == [MessageFlags(system: .flagged, keywords: ["K"]), MessageFlags()])
        #expect(moved.map(\.internalDate) == [d1, d2])
        #expect(moved.map(\.emailID) == originals.map(\.emailID))
        #expect(moved.allSatisfy { $0.saveDate >= start.addingTimeInterval(-1) })
        #expect(try await store.content(account: account, mailbox: archive.id, uid: 2) == Data(message(1).utf8))
        #expect(try await store.content(account: account, mailbox: archive.id, uid: 3) == Data(message(3).utf8))
        let target = try await store.changes(account: account, mailbox: archive.id, since: targetBefore)
        #expect(target.changed.map(\.uid) == [2, 3] && target.uidNext == 4 && target.highestModSeq > targetBefore)
        #expect(target.changed.allSatisfy { $0.modSeq == target.highestModSeq })

        // Source: gone, with tombstones carrying one new MODSEQ.
        #expect(try await store.snapshot(account: account, mailbox: inbox, markRecentSeen: false).uids == [2])
        #expect(try await store.content(account: account, mailbox: inbox, uid: 1) == nil)
        let sourceAfter = try #require(try await store.highestModSeq(account: account, mailbox: inbox))
        #expect(sourceAfter > sourceBefore)
        let source = try await store.changes(account: account, mailbox: inbox, since: sourceAfter - 1)
        #expect(source.expunged == [1, 3] && source.changed.isEmpty)
        #expect(try await store.status(account: account, mailbox: inbox).uidNext == 4, "source UIDNEXT stays")

        // Moving nothing changes nothing.
        let none = try await store.move(account: account, from: inbox, uids: UIDSet([1, 99]), to: archive.id)
        #expect(none.copied.pairs.isEmpty && none.expunged.isEmpty)
        #expect(try await store.highestModSeq(account: account, mailbox: inbox) == sourceAfter)
        #expect(try await store.highestModSeq(account: account, mailbox: archive.id) == target.highestModSeq)
    }

    /// RFC 6851 does not forbid MOVE into the same mailbox: the messages are renumbered.
    public static func moveWithinMailbox(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await append(store, account, box, message(1), flags: .seen)
        _ = try await fill(store, account, box, count: 2)
        let before = try #require(try await store.highestModSeq(account: account, mailbox: box))
        let ids = try await store.messages(account: account, mailbox: box, uids: UIDSet([1, 2])).map(\.emailID)
        let result = try await store.move(account: account, from: box, uids: UIDSet([1, 2]), to: box)
        #expect(result.copied.pairs.map(\.source) == [1, 2] && result.copied.pairs.map(\.destination) == [4, 5])
        #expect(result.expunged == [1, 2])
        let snapshot = try await store.snapshot(account: account, mailbox: box, markRecentSeen: false)
        #expect(snapshot.uids == [3, 4, 5] && snapshot.info.uidNext == 6)
        let changes = try await store.changes(account: account, mailbox: box, since: before)
        #expect(changes.changed.map(\.uid) == [4, 5] && changes.expunged == [1, 2])
        #expect(changes.changed.map(\.emailID) == ids && changes.changed.first?.flags == .seen)
        #expect(try await store.content(account: account, mailbox: box, uid: 4) == Data(message(1).utf8))
    }

    /// A refused MOVE changes nothing in either mailbox; another account's mailboxes are unreachable.
    public static func moveRefusals(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store)
        let bob = try await makeAccount(store, "bob")
        let inbox = try await mailboxID(store, alice, "INBOX")
        let bobInbox = try await mailboxID(store, bob, "INBOX")
        _ = try await fill(store, alice, inbox, count: 3)
        _ = try await fill(store, bob, bobInbox, count: 1)
        _ = try await store.createMailbox(account: alice, name: "P/c", specialUse: nil)
        try await store.deleteMailbox(account: alice, name: "P")
        let placeholder = try #require(try await store.mailbox(account: alice, name: "P"))
        #expect(placeholder.isNoSelect)
        let aliceBefore = try await store.snapshot(account: alice, mailbox: inbox, markRecentSeen: false)
        let bobBefore = try await store.snapshot(account: bob, mailbox: bobInbox, markRecentSeen: false)

        await expectError(.mailboxNotFound) {
            try await store.move(account: alice, from: inbox, uids: UIDSet([1, 2]), to: bobInbox)
        }
        await expectError(.mailboxNotFound) {
            try await store.move(account: alice, from: bobInbox, uids: UIDSet([1]), to: inbox)
        }
        await expectError(.mailboxNotFound) {
            try await store.move(account: bob, from: inbox, uids: UIDSet([1]), to: bobInbox)
        }
        await expectError(.mailboxNotFound) {
            try await store.move(account: alice, from: inbox, uids: UIDSet([1]), to: 999_999)
        }
        await expectError(.noSelect) {
            try await store.move(account: alice, from: inbox, uids: UIDSet([1]), to: placeholder.id)
        }
        #expect(try await store.snapshot(account: alice, mailbox: inbox, markRecentSeen: false) == aliceBefore)
        #expect(try await store.snapshot(account: bob, mailbox: bobInbox, markRecentSeen: false) == bobBefore)
        #expect(try await store.changes(account: alice, mailbox: inbox, since: 0).expunged.isEmpty)
    }

    /// SAVEDATE is the time a message entered its mailbox; EMAILID follows the content.
    public static func saveDateAndEmailID(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let trash = try await mailboxID(store, account, "Trash")
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        let start = Date()
        _ = try await append(store, account, inbox, message(1), date: old)
        _ = try await append(store, account, inbox, message(1), date: old)
        let metas = try await store.messages(account: account, mailbox: inbox, uids: UIDSet([1, 2]))
        #expect(metas.allSatisfy { $0.internalDate == old })
        #expect(
            metas.allSatisfy {
                $0.saveDate >= start.addingTimeInterval(-1) && $0.saveDate <= Date().addingTimeInterval(1)
            })
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        for meta in metas {
            #expect((1...255).contains(meta.emailID.count) && meta.emailID.allSatisfy(allowed.contains))
        }
        #expect(metas[0].emailID != metas[1].emailID, "a new APPEND is a new message, even with equal text")

        // COPY shares the EMAILID (RFC 8474 §5.1) and gets its own SAVEDATE; flags do not change it.
        try await Task.sleep(for: .milliseconds(20))
        let copy = try await store.copy(account: account, from: inbox, uids: UIDSet([1]), to: trash)
        let copied = try #require(
            try await store.messages(account: account, mailbox: trash, uids: UIDSet([copy.pairs[0].destination])).first)
        #expect(copied.emailID == metas[0].emailID)
        #expect(copied.saveDate > metas[0].saveDate && copied.internalDate == old)
        _ = try await store.store(
            account: account, mailbox: inbox, uids: UIDSet([1]), operation: .add, flags: .seen, unchangedSince: nil)
        let after = try await store.messages(account: account, mailbox: inbox, uids: UIDSet([1]))
        #expect(after.first?.emailID == metas[0].emailID && after.first?.saveDate == metas[0].saveDate)

        // `changes` reports the same fields as `messages`.
        let changes = try await store.changes(account: account, mailbox: inbox, since: 0)
        #expect(changes.changed == (try await store.messages(account: account, mailbox: inbox, uids: UIDSet([1, 2]))))
    }
}
