import Foundation
import MailStore
import Testing

/// `changes(since:)` around expunges (RFC 7162 §3.2.10 VANISHED) and STORE's UNCHANGEDSINCE
/// (RFC 7162 §3.1.3).
extension MailStoreConformance {
    public static func changesAfterExpunge(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        let archive = try await mailboxID(store, account, "Archive")
        _ = try await fill(store, account, box, count: 5)
        func highest() async throws -> ModSeq {
            try #require(try await store.highestModSeq(account: account, mailbox: box))
        }
        func changes(_ since: ModSeq) async throws -> MailboxChanges {
            try await store.changes(account: account, mailbox: box, since: since)
        }
        let m0 = try await highest()
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([2]), operation: .add, flags: .seen, unchangedSince: nil)
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([2, 3]), operation: .add, flags: .deleted, unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: box, uids: nil) == [2, 3])
        let m1 = try await highest()

        // A message changed, then expunged, is reported only as expunged.
        var c = try await changes(m0)
        #expect(c.changed.isEmpty && c.expunged == [2, 3])
        #expect(try await changes(m1).expunged.isEmpty)
        #expect(try await changes(m1 - 1).expunged == [2, 3], "tombstones carry the expunge's MODSEQ")
        c = try await changes(0)
        #expect(c.changed.map(\.uid) == [1, 4, 5] && c.expunged == [2, 3])

        // A message both added and expunged after the asked MODSEQ: only its expunge is reported.
        let uid = try await append(store, account, box, message(6)).uid
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([uid]), operation: .add, flags: .deleted, unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: box, uids: UIDSet([uid])) == [uid])
        c = try await changes(m1)
        #expect(c.changed.isEmpty && c.expunged == [uid] && c.uidNext == uid + 1)
        #expect(try await changes(m0).expunged == [2, 3, uid])

        // MOVE leaves tombstones in the source too.
        let m2 = try await highest()
        _ = try await store.move(account: account, from: box, uids: UIDSet([4]), to: archive)
        c = try await changes(m2)
        #expect(c.expunged == [4] && c.changed.isEmpty && c.highestModSeq > m2)

        // A placeholder made selectable again starts afresh: no tombstones of its former life.
        let parent = try await store.createMailbox(account: account, name: "P", specialUse: nil).id
        _ = try await store.createMailbox(account: account, name: "P/c", specialUse: nil)
        _ = try await append(store, account, parent, message(7), flags: .deleted)
        #expect(try await store.expunge(account: account, mailbox: parent, uids: nil) == [1])
        try await store.deleteMailbox(account: account, name: "P")
        let revived = try await store.createMailbox(account: account, name: "P", specialUse: nil)
        let fresh = try await store.changes(account: account, mailbox: revived.id, since: 0)
        #expect(fresh.expunged.isEmpty && fresh.changed.isEmpty && fresh.uidNext == 1)
    }

    public static func unchangedSince(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await fill(store, account, box, count: 3)
        let all = UIDSet(ranges: [1...3])
        let metas = try await store.messages(account: account, mailbox: box, uids: all)
        #expect(metas[0].modSeq < metas[1].modSeq && metas[1].modSeq < metas[2].modSeq)

        // Only messages whose MODSEQ is above the limit fail; one equal to it passes.
        let first = try await store.store(
            account: account, mailbox: box, uids: all, operation: .add, flags: MessageFlags(system: .flagged),
            unchangedSince: metas[1].modSeq)
        #expect(first.modified == [3] && first.updated.map(\.uid) == [1, 2])
        let h = try #require(try await store.highestModSeq(account: account, mailbox: box))
        #expect(first.updated.allSatisfy { $0.modSeq == h })

        // UNCHANGEDSINCE 0 fails for every message: nothing changes, no new MODSEQ.
        let zero = try await store.store(
            account: account, mailbox: box, uids: all, operation: .add, flags: .seen, unchangedSince: 0)
        #expect(zero.modified == [1, 2, 3] && zero.updated.isEmpty)
        #expect(try await store.highestModSeq(account: account, mailbox: box) == h)
        #expect(
            try await store.messages(account: account, mailbox: box, uids: all).allSatisfy {
                !$0.flags.system.contains(.seen)
            })

        // A message that fails is reported even when the STORE would not change it.
        let unchanged = try await store.store(
            account: account, mailbox: box, uids: UIDSet([1]), operation: .add, flags: MessageFlags(system: .flagged),
            unchangedSince: metas[0].modSeq)
        #expect(unchanged.modified == [1] && unchanged.updated.isEmpty)
        // One that passes and would not change is reported with its current state and MODSEQ.
        let passes = try await store.store(
            account: account, mailbox: box, uids: UIDSet([1]), operation: .add, flags: MessageFlags(system: .flagged),
            unchangedSince: h)
        #expect(passes.modified.isEmpty)
        #expect(passes.updated == [FlagUpdate(uid: 1, modSeq: h, flags: MessageFlags(system: .flagged))])
        #expect(try await store.highestModSeq(account: account, mailbox: box) == h)

        // Failed messages keep their flags and MODSEQ; the passing ones get one new MODSEQ.
        let mixed = try await store.store(
            account: account, mailbox: box, uids: all, operation: .replace, flags: .seen,
            unchangedSince: metas[2].modSeq)
        #expect(mixed.modified == [1, 2] && mixed.updated.map(\.uid) == [3])
        let final = try await store.messages(account: account, mailbox: box, uids: all)
        #expect(final[0].modSeq == h && final[1].modSeq == h && final[2].modSeq > h)
        #expect(final.map(\.flags) == [MessageFlags(system: .flagged), MessageFlags(system: .flagged), .seen])
    }
}
