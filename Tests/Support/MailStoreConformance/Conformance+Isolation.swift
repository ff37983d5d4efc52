import Foundation
import MailStore
import Testing

/// Account isolation for every message call: another account's mailbox id is `.mailboxNotFound` (or
/// nil where a call answers nil for a missing mailbox), and nothing of the owner's changes.
extension MailStoreConformance {
    public static func isolationOfEveryCall(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store, "alice")
        let bob = try await makeAccount(store, "bob")
        let secret = try await store.createMailbox(account: alice, name: "Secret", specialUse: nil).id
        let bobInbox = try await mailboxID(store, bob, "INBOX")
        let uid = try await append(store, alice, secret, message(1), flags: .deleted).uid
        _ = try await fill(store, bob, bobInbox, count: 1)
        let structure = MessageStructure(
            version: 1, data: [1], derived: DerivedTexts(version: 1, texts: [[1], [2], [3]])
        )
        try await store.setStructure(account: alice, mailbox: secret, uid: uid, structure: structure)
        let set = UIDSet([uid])
        let before = try await store.snapshot(account: alice, mailbox: secret, markRecentSeen: false)
        let statusBefore = try await store.status(account: alice, mailbox: secret)

        await expectError(.mailboxNotFound) { try await store.status(account: bob, mailbox: secret) }
        await expectError(.mailboxNotFound) {
            try await store.snapshot(account: bob, mailbox: secret, markRecentSeen: true)
        }
        await expectError(.mailboxNotFound) { try await store.claimRecent(account: bob, mailbox: secret, through: uid) }
        #expect(try await store.highestModSeq(account: bob, mailbox: secret) == nil)
        #expect(try await store.syncState(account: bob, mailbox: secret) == nil)
        await expectError(.mailboxNotFound) { try await store.changes(account: bob, mailbox: secret, since: 0) }
        await expectError(.mailboxNotFound) { try await store.messages(account: bob, mailbox: secret, uids: set) }
        await expectError(.mailboxNotFound) {
            try await store.messages(account: bob, mailbox: secret, uids: set, with: .deleted, without: .seen)
        }
        await expectError(.mailboxNotFound) {
            try await store.uids(account: bob, mailbox: secret, uids: set, with: .deleted, without: [])
        }
        await expectError(.mailboxNotFound) { try await store.flagIndex(account: bob, mailbox: secret) }
        await expectError(.mailboxNotFound) { try await store.content(account: bob, mailbox: secret, uid: uid) }
        await expectError(.mailboxNotFound) { try await store.openContent(account: bob, mailbox: secret, uid: uid) }
        await expectError(.mailboxNotFound) {
            try await store.forEachContent(account: bob, mailbox: secret, uids: set) { _, _ in
                Issue.record("another account's message was read")
            }
        }
        await expectError(.mailboxNotFound) {
            try await store.store(
                account: bob, mailbox: secret, uids: set, operation: .replace, flags: .seen, unchangedSince: nil)
        }
        await expectError(.mailboxNotFound) {
            try await store.copy(account: bob, from: secret, uids: set, to: bobInbox)
        }
        await expectError(.mailboxNotFound) {
            try await store.copy(account: bob, from: bobInbox, uids: UIDSet([1]), to: secret)
        }
        await expectError(.mailboxNotFound) {
            try await store.move(account: bob, from: secret, uids: set, to: bobInbox)
        }
        await expectError(.mailboxNotFound) {
            try await store.move(account: bob, from: bobInbox, uids: UIDSet([1]), to: secret)
        }
        await expectError(.mailboxNotFound) { try await store.expunge(account: bob, mailbox: secret, uids: nil) }
        await expectError(.mailboxNotFound) { try await store.expunge(account: bob, mailbox: secret, uids: set) }
        await expectError(.mailboxNotFound) { try await append(store, bob, secret, message(2)) }
        await expectError(.mailboxNotFound) {
            try await store.append(account: bob, mailbox: secret, messages: [try staged(store, 3)])
        }
        await expectError(.mailboxNotFound) { try await store.append(account: bob, mailbox: secret, messages: []) }
        await expectError(.mailboxNotFound) { try await store.structures(account: bob, mailbox: secret, uids: set) }
        await expectError(.mailboxNotFound) { try await store.derivedTexts(account: bob, mailbox: secret, uids: set) }
        await expectError(.mailboxNotFound) {
            try await store.setStructure(
                account: bob, mailbox: secret, uid: uid, structure: MessageStructure(version: 9, data: []))
        }
        #expect(stagingIsEmpty(store), "a refused append consumes its staged file")

        // Names are per account: Bob's "Secret" and his subscriptions are his own.
        let bobSecret = try await store.createMailbox(account: bob, name: "Secret", specialUse: nil)
        #expect(bobSecret.id != secret)
        try await store.setSubscribed(account: bob, name: "Secret", subscribed: true)
        #expect(!(try await store.subscriptions(account: alice)).contains("Secret"))
        try await store.deleteMailbox(account: bob, name: "Secret")
        #expect(try await store.mailbox(account: alice, name: "Secret")?.id == secret)

        // Nothing of Alice's changed, and Bob's mailbox got nothing.
        #expect(try await store.snapshot(account: alice, mailbox: secret, markRecentSeen: false) == before)
        #expect(try await store.status(account: alice, mailbox: secret) == statusBefore)
        #expect(try await store.structures(account: alice, mailbox: secret, uids: set) == [uid: structure])
        #expect(try await store.status(account: bob, mailbox: bobInbox).messages == 1)
        // Deleting Bob leaves Alice whole.
        try await store.deleteAccount(name: "bob")
        #expect(try await store.content(account: alice, mailbox: secret, uid: uid) == Data(message(1).utf8))
    }
}
