import Foundation
import MailStore
import Testing

extension MailStoreConformance {
    public static func accounts(_ store: any MailStore & AccountStore) async throws {
        let creds = try credentials("pw1")
        let alice = try await store.createAccount(name: "Alice@example.org", credentials: creds)
        await expectError(.accountExists) {
            try await store.createAccount(name: "alice@EXAMPLE.org", credentials: creds)
        }
        for bad in ["", ".alice", "-alice", "al ice", "alice/x", "älice", String(repeating: "a", count: 65)] {
            await expectError(.invalidAccountName("")) { try await store.createAccount(name: bad, credentials: creds) }
        }
        let bob = try await store.createAccount(name: "bob", credentials: try credentials("pw2"))
        #expect(alice != bob)

        let list = try await store.listAccounts()
        #expect(list.map(\.name) == ["Alice@example.org", "bob"])
        #expect(list.map(\.id) == [alice, bob])

        // Case-insensitive lookup returns the stored verifier.
        let found = try #require(try await store.credentials(accountName: "ALICE@example.ORG"))
        #expect(found.0 == alice)
        #expect(found.1 == creds)
        #expect(try await store.credentials(accountName: "nobody") == nil)
        #expect(try await store.credentials(accountName: "bad name") == nil)

        let newCreds = try credentials("pw3")
        try await store.setCredentials(accountName: "alice@example.org", credentials: newCreds)
        #expect(try await store.credentials(accountName: "Alice@example.org")?.1 == newCreds)
        await expectError(.accountNotFound) {
            try await store.setCredentials(accountName: "nobody", credentials: newCreds)
        }

        let inbox = try await mailboxID(store, alice, "INBOX")
        try await append(store, alice, inbox, message(1))
        try await store.deleteAccount(name: "ALICE@example.org")
        #expect(try await store.listAccounts().map(\.name) == ["bob"])
        #expect(try await store.credentials(accountName: "alice@example.org") == nil)
        #expect(try await store.mailbox(account: alice, name: "INBOX") == nil)
        await expectError(.mailboxNotFound) { try await store.status(account: alice, mailbox: inbox) }
        await expectError(.accountNotFound) { try await store.deleteAccount(name: "alice@example.org") }
        await expectError(.accountNotFound) { try await store.listMailboxes(account: alice) }

        // The name is free again; the new account is a different one.
        let again = try await store.createAccount(name: "alice@example.org", credentials: creds)
        #expect(again != alice)
        #expect(try await store.listMailboxes(account: again).count == 6)
    }

    public static func defaultMailboxes(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let boxes = try await store.listMailboxes(account: account)
        let byName = Dictionary(uniqueKeysWithValues: boxes.map { ($0.name, $0) })
        #expect(Set(byName.keys) == ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"])
        #expect(byName["INBOX"]?.specialUse == nil)
        #expect(byName["Sent"]?.specialUse == .sent)
        #expect(byName["Drafts"]?.specialUse == .drafts)
        #expect(byName["Trash"]?.specialUse == .trash)
        #expect(byName["Junk"]?.specialUse == .junk)
        #expect(byName["Archive"]?.specialUse == .archive)
        #expect(boxes.allSatisfy { !$0.isNoSelect && $0.uidNext == 1 && $0.highestModSeq >= 1 })
        #expect(Set(boxes.map(\.uidValidity)).count == boxes.count, "UIDVALIDITY differs per mailbox")
        #expect(Set(try await store.subscriptions(account: account)) == Set(byName.keys))
        // INBOX is case-insensitive.
        #expect(try await store.mailbox(account: account, name: "inbox")?.id == byName["INBOX"]?.id)
        #expect(try await store.mailbox(account: account, name: "InBoX")?.name == "INBOX")
        #expect(try await store.mailbox(account: account, name: "sent") == nil, "other names are case-sensitive")
    }

    public static func isolation(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store, "alice")
        let bob = try await makeAccount(store, "bob")
        let secret = try await store.createMailbox(account: alice, name: "Secret", specialUse: nil)
        let aliceInbox = try await mailboxID(store, alice, "INBOX")
        let bobInbox = try await mailboxID(store, bob, "INBOX")
        #expect(aliceInbox != bobInbox)
        let uid = try await append(store, alice, secret.id, message(1), flags: .deleted).uid

        // By name.
        #expect(try await store.mailbox(account: bob, name: "Secret") == nil)
        #expect(!(try await store.listMailboxes(account: bob)).contains { $0.id == secret.id })
        await expectError(.mailboxNotFound) { try await store.deleteMailbox(account: bob, name: "Secret") }
        await expectError(.mailboxNotFound) { try await store.renameMailbox(account: bob, from: "Secret", to: "Mine") }
        // By id: every message call refuses another account's mailbox as if it did not exist.
        let set = UIDSet([uid])
        await expectError(.mailboxNotFound) { try await store.status(account: bob, mailbox: secret.id) }
        await expectError(.mailboxNotFound) {
            try await store.snapshot(account: bob, mailbox: secret.id, markRecentSeen: true)
        }
        #expect(try await store.highestModSeq(account: bob, mailbox: secret.id) == nil)
        await expectError(.mailboxNotFound) { try await store.changes(account: bob, mailbox: secret.id, since: 0) }
        await expectError(.mailboxNotFound) { try await store.messages(account: bob, mailbox: secret.id, uids: set) }
        await expectError(.mailboxNotFound) { try await store.content(account: bob, mailbox: secret.id, uid: uid) }
        await expectError(.mailboxNotFound) {
            try await store.store(
                account: bob, mailbox: secret.id, uids: set, operation: .add, flags: .seen, unchangedSince: nil)
        }
        await expectError(.mailboxNotFound) {
            try await store.copy(account: bob, from: secret.id, uids: set, to: bobInbox)
        }
        await expectError(.mailboxNotFound) {
            try await store.copy(account: bob, from: bobInbox, uids: set, to: secret.id)
        }
        await expectError(.mailboxNotFound) {
            try await store.copy(account: alice, from: secret.id, uids: set, to: bobInbox)
        }
        await expectError(.mailboxNotFound) { try await store.expunge(account: bob, mailbox: secret.id, uids: nil) }
        await expectError(.mailboxNotFound) { try await append(store, bob, secret.id, message(2)) }
        // Nothing happened to Alice's message.
        #expect(try await store.messages(account: alice, mailbox: secret.id, uids: set).map(\.uid) == [uid])
        #expect(try await store.status(account: alice, mailbox: secret.id).messages == 1)
    }
}
