import Foundation
import MailStore
import Testing

extension MailStoreConformance {
    public static func names(_ store: any MailStore & AccountStore, _ account: AccountID) async throws -> [String] {
        try await store.listMailboxes(account: account).map(\.name).sorted()
    }

    public static func createMailboxes(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let deep = try await store.createMailbox(account: account, name: "a/b/c", specialUse: nil)
        #expect(deep.name == "a/b/c")
        #expect(!deep.isNoSelect)
        #expect(deep.uidNext == 1)
        let all = try await store.listMailboxes(account: account)
        for parent in ["a", "a/b"] {
            let info = try #require(all.first { $0.name == parent }, "parent \(parent) created")
            #expect(!info.isNoSelect)
        }
        await expectError(.mailboxExists) {
            try await store.createMailbox(account: account, name: "a/b", specialUse: nil)
        }
        await expectError(.mailboxExists) {
            try await store.createMailbox(account: account, name: "inbox", specialUse: nil)
        }
        await expectError(.invalidMailboxName("")) {
            try await store.createMailbox(account: account, name: "x//y", specialUse: nil)
        }
        await expectError(.invalidMailboxName("")) {
            try await store.createMailbox(account: account, name: "x%", specialUse: nil)
        }
        let flagged = try await store.createMailbox(account: account, name: "Starred", specialUse: .flagged)
        #expect(flagged.specialUse == .flagged)
        // "inbox/x" is stored under INBOX; names are NFC.
        let child = try await store.createMailbox(account: account, name: "inbox/x", specialUse: nil)
        #expect(child.name == "INBOX/x")
        let decomposed = try await store.createMailbox(account: account, name: "Cafe\u{301}", specialUse: nil)
        #expect(decomposed.name == "Caf\u{E9}")
        #expect(try await store.mailbox(account: account, name: "Cafe\u{301}")?.id == decomposed.id)
        #expect(try await store.mailbox(account: account, name: "bad%name") == nil)
    }

    public static func deleteMailboxes(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        // Plain.
        let plain = try await store.createMailbox(account: account, name: "Plain", specialUse: nil)
        try await append(store, account, plain.id, message(1))
        try await store.deleteMailbox(account: account, name: "Plain")
        #expect(try await store.mailbox(account: account, name: "Plain") == nil)
        await expectError(.mailboxNotFound) { try await store.status(account: account, mailbox: plain.id) }
        await expectError(.mailboxNotFound) { try await store.deleteMailbox(account: account, name: "Plain") }
        // Recreated: new id, larger UIDVALIDITY, UIDs from 1.
        let recreated = try await store.createMailbox(account: account, name: "Plain", specialUse: nil)
        #expect(recreated.id != plain.id)
        #expect(recreated.uidValidity > plain.uidValidity)
        #expect(recreated.uidNext == 1)

        await expectError(.cannotDeleteInbox) { try await store.deleteMailbox(account: account, name: "inbox") }

        // With children: becomes a \Noselect placeholder without messages.
        let parent = try await store.createMailbox(account: account, name: "P", specialUse: nil)
        _ = try await store.createMailbox(account: account, name: "P/child", specialUse: nil)
        try await append(store, account, parent.id, message(2))
        try await store.deleteMailbox(account: account, name: "P")
        let placeholder = try #require(try await store.mailbox(account: account, name: "P"))
        #expect(placeholder.isNoSelect)
        await expectError(.noSelect) {
            try await store.snapshot(account: account, mailbox: parent.id, markRecentSeen: false)
        }
        await expectError(.noSelect) { try await append(store, account, parent.id, message(3)) }
        await expectError(.noSelect) { try await store.deleteMailbox(account: account, name: "P") }
        await expectError(.mailboxExists) {
            try await store.createMailbox(account: account, name: "P/child", specialUse: nil)
        }

        // CREATE on the placeholder makes it selectable again, empty, with a new UIDVALIDITY.
        let revived = try await store.createMailbox(account: account, name: "P", specialUse: nil)
        #expect(!revived.isNoSelect)
        #expect(revived.uidValidity > parent.uidValidity)
        #expect(try await store.status(account: account, mailbox: revived.id).messages == 0)

        // Deleting the last child of a placeholder removes the placeholder too.
        _ = try await store.createMailbox(account: account, name: "Q/only", specialUse: nil)
        try await store.deleteMailbox(account: account, name: "Q")
        #expect(try await store.mailbox(account: account, name: "Q")?.isNoSelect == true)
        try await store.deleteMailbox(account: account, name: "Q/only")
        #expect(try await store.mailbox(account: account, name: "Q") == nil)
        // A sibling whose name merely starts the same is not a child.
        _ = try await store.createMailbox(account: account, name: "R", specialUse: nil)
        _ = try await store.createMailbox(account: account, name: "R2", specialUse: nil)
        try await store.deleteMailbox(account: account, name: "R")
        #expect(try await store.mailbox(account: account, name: "R") == nil)
    }

    public static func renameMailboxes(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let a = try await store.createMailbox(account: account, name: "a", specialUse: nil)
        let ab = try await store.createMailbox(account: account, name: "a/b", specialUse: nil)
        _ = try await store.createMailbox(account: account, name: "ab", specialUse: nil)
        let uid = try await append(store, account, a.id, message(1)).uid
        try await store.setSubscribed(account: account, name: "a/b", subscribed: true)

        try await store.renameMailbox(account: account, from: "a", to: "x/y")
        let names = try await names(store, account)
        #expect(names.contains("x") && names.contains("x/y") && names.contains("x/y/b") && names.contains("ab"))
        #expect(!names.contains("a") && !names.contains("a/b"))
        let moved = try #require(try await store.mailbox(account: account, name: "x/y"))
        #expect(moved.id == a.id && moved.uidValidity == a.uidValidity, "keeps id and UIDVALIDITY")
        #expect(try await store.mailbox(account: account, name: "x/y/b")?.id == ab.id)
        #expect(try await store.messages(account: account, mailbox: a.id, uids: UIDSet([uid])).count == 1)
        let subs = try await store.subscriptions(account: account)
        #expect(subs.contains("x/y/b") && !subs.contains("a/b"))

        // Collisions, missing source, into itself.
        await expectError(.mailboxExists) { try await store.renameMailbox(account: account, from: "ab", to: "x/y") }
        await expectError(.mailboxExists) { try await store.renameMailbox(account: account, from: "ab", to: "INBOX") }
        await expectError(.mailboxExists) { try await store.renameMailbox(account: account, from: "ab", to: "Sent") }
        _ = try await store.createMailbox(account: account, name: "m/b", specialUse: nil)
        _ = try await store.createMailbox(account: account, name: "n/b", specialUse: nil)
        await expectError(.mailboxExists) { try await store.renameMailbox(account: account, from: "m", to: "n") }
        await expectError(.mailboxNotFound) { try await store.renameMailbox(account: account, from: "nope", to: "z") }
        await expectError(.invalidMailboxName("")) {
            try await store.renameMailbox(account: account, from: "x", to: "x/z")
        }

        // INBOX: messages move to a new mailbox with new UIDs; INBOX stays, empty, with its children.
        let inbox = try #require(try await store.mailbox(account: account, name: "INBOX"))
        let inboxChild = try await store.createMailbox(account: account, name: "INBOX/kid", specialUse: nil)
        let first = try await append(store, account, inbox.id, message(10), flags: .seen).uid
        let second = try await append(store, account, inbox.id, message(11)).uid
        try await store.renameMailbox(account: account, from: "inbox", to: "Old Inbox")
        let after = try #require(try await store.mailbox(account: account, name: "INBOX"))
        #expect(after.id == inbox.id && after.uidValidity == inbox.uidValidity)
        #expect(after.uidNext == second + 1, "INBOX UIDs are not reused")
        #expect(after.highestModSeq > inbox.highestModSeq)
        #expect(try await store.status(account: account, mailbox: inbox.id).messages == 0)
        #expect(try await store.mailbox(account: account, name: "INBOX/kid")?.id == inboxChild.id)
        let old = try #require(try await store.mailbox(account: account, name: "Old Inbox"))
        #expect(old.uidValidity != inbox.uidValidity)
        let oldMessages = try await store.messages(
            account: account, mailbox: old.id, uids: UIDSet(ranges: [1...UID.max]))
        #expect(oldMessages.map(\.uid) == [1, 2])
        #expect(oldMessages.first?.flags == .seen)
        let changes = try await store.changes(account: account, mailbox: inbox.id, since: inbox.highestModSeq)
        #expect(changes.expunged == [first, second])
        let text = try await store.content(account: account, mailbox: old.id, uid: 1)
        #expect(text == Data(message(10).utf8))
    }

    public static func subscriptions(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        try await store.setSubscribed(account: account, name: "Lists/swift", subscribed: true)
        try await store.setSubscribed(account: account, name: "Lists/swift", subscribed: true)
        #expect(try await store.subscriptions(account: account).filter { $0 == "Lists/swift" }.count == 1)
        try await store.setSubscribed(account: account, name: "Trash", subscribed: false)
        try await store.setSubscribed(account: account, name: "Trash", subscribed: false)
        let subs = try await store.subscriptions(account: account)
        #expect(!subs.contains("Trash"))
        #expect(subs.contains("INBOX"))
        try await store.setSubscribed(account: account, name: "inbox", subscribed: false)
        #expect(!(try await store.subscriptions(account: account)).contains("INBOX"))
        await expectError(.invalidMailboxName("")) {
            try await store.setSubscribed(account: account, name: "/x", subscribed: true)
        }
        // Deleting a mailbox keeps its subscription (RFC 9051 §6.3.9).
        _ = try await store.createMailbox(account: account, name: "Gone", specialUse: nil)
        try await store.setSubscribed(account: account, name: "Gone", subscribed: true)
        try await store.deleteMailbox(account: account, name: "Gone")
        #expect(try await store.subscriptions(account: account).contains("Gone"))
    }
}
