import Foundation
import MailStore
import Testing

/// REPLACE (RFC 8508 §3.4): append and expunge in one transaction.
extension MailStoreConformance {
    /// Into another mailbox: the new message there, the old one gone from its own with a tombstone of
    /// a new MODSEQ; within one mailbox, one MODSEQ for both.
    public static func replaceMessage(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let drafts = try #require(try await store.mailbox(account: account, name: "Archive"))
        let inbox = try await mailboxID(store, account, "INBOX")
        _ = try await append(store, account, inbox, message(1))
        _ = try await append(store, account, inbox, message(2))
        let inboxBefore = try #require(try await store.highestModSeq(account: account, mailbox: inbox))

        let moved = try await store.replace(
            account: account, mailbox: drafts.id, message: try staged(store, 10, flags: .seen), replacing: inbox, uid: 1
        )
        #expect(moved.appended.uidValidity == drafts.uidValidity && moved.appended.uid == 1)
        #expect(moved.expunged == [1])
        #expect(try await store.snapshot(account: account, mailbox: inbox, markRecentSeen: false).uids == [2])
        #expect(try await store.content(account: account, mailbox: drafts.id, uid: 1) == Data(message(10).utf8))
        #expect(try await store.messages(account: account, mailbox: drafts.id, uids: UIDSet([1])).first?.flags == .seen)
        let inboxAfter = try #require(try await store.highestModSeq(account: account, mailbox: inbox))
        #expect(inboxAfter > inboxBefore)
        #expect(try await store.changes(account: account, mailbox: inbox, since: inboxBefore).expunged == [1])

        // Within one mailbox: the new message gets the next UID; it and the tombstone share a MODSEQ.
        let within = try await store.replace(
            account: account, mailbox: inbox, message: try staged(store, 11), replacing: inbox, uid: 2)
        #expect(within.appended.uid == 3 && within.expunged == [2])
        #expect(try await store.snapshot(account: account, mailbox: inbox, markRecentSeen: false).uids == [3])
        let changes = try await store.changes(account: account, mailbox: inbox, since: inboxAfter)
        #expect(changes.expunged == [2] && changes.changed.map(\.uid) == [3])
        #expect(changes.changed.first?.modSeq == changes.highestModSeq)

        // A message expunged meanwhile: the new one is still stored, nothing more is expunged.
        let gone = try await store.replace(
            account: account, mailbox: inbox, message: try staged(store, 12), replacing: inbox, uid: 2)
        #expect(gone.expunged.isEmpty && gone.appended.uid == 4)
        #expect(try await store.snapshot(account: account, mailbox: inbox, markRecentSeen: false).uids == [3, 4])
        #expect(stagingIsEmpty(store))
    }

    /// A refused REPLACE changes nothing: neither mailbox, and the staged file is consumed.
    public static func replaceRefusals(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        _ = try await append(store, account, inbox, message(1))
        let before = try #require(try await store.highestModSeq(account: account, mailbox: inbox))
        await expectError(.mailboxNotFound) {
            try await store.replace(
                account: account, mailbox: MailboxID(987_654), message: try staged(store, 2), replacing: inbox, uid: 1)
        }
        await expectError(.mailboxNotFound) {
            try await store.replace(
                account: account, mailbox: inbox, message: try staged(store, 3), replacing: MailboxID(987_654), uid: 1)
        }
        try await store.setQuota(account: account, limits: QuotaLimits(storageBytes: nil, messages: 1))
        await expectError(.overQuota) {
            try await store.replace(
                account: account, mailbox: inbox, message: try staged(store, 4), replacing: inbox, uid: 1)
        }
        #expect(try await store.snapshot(account: account, mailbox: inbox, markRecentSeen: false).uids == [1])
        #expect(try await store.highestModSeq(account: account, mailbox: inbox) == before)
        #expect(stagingIsEmpty(store))
    }
}
