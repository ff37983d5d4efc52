import Foundation
import MailStore
import Testing

/// RENAME INBOX (RFC 9051 §6.3.6): the messages move to a new mailbox; INBOX stays, empty, with its id,
/// UIDVALIDITY, UIDNEXT, children and subscription.
extension MailStoreConformance {
    public static func renameInbox(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try #require(try await store.mailbox(account: account, name: "INBOX"))

        // An empty INBOX: the new mailbox is empty too.
        try await store.renameMailbox(account: account, from: "INBOX", to: "Empty")
        let empty = try #require(try await store.mailbox(account: account, name: "Empty"))
        #expect(empty.id != inbox.id && empty.uidNext == 1 && empty.uidValidity > inbox.uidValidity)
        #expect(try await store.status(account: account, mailbox: empty.id).messages == 0)
        let still = try #require(try await store.mailbox(account: account, name: "INBOX"))
        #expect(still.id == inbox.id && still.uidValidity == inbox.uidValidity && still.uidNext == inbox.uidNext)

        // With messages (the first expunged, so UIDs start at 2).
        let date = Date(timeIntervalSince1970: 1_400_000_000)
        _ = try await append(store, account, inbox.id, message(1), flags: .deleted)
        _ = try await append(
            store, account, inbox.id, message(2), flags: MessageFlags(system: .answered, keywords: ["$Work"]),
            date: date)
        _ = try await append(store, account, inbox.id, message(3), flags: .seen)
        _ = try await append(store, account, inbox.id, message(4))
        #expect(try await store.expunge(account: account, mailbox: inbox.id, uids: nil) == [1])
        let shape = MessageStructure(version: 4, data: [4, 2])
        try await store.setStructure(account: account, mailbox: inbox.id, uid: 3, structure: shape)
        let before = try await store.messages(account: account, mailbox: inbox.id, uids: UIDSet(ranges: [1...10]))
        let modSeqBefore = try #require(try await store.highestModSeq(account: account, mailbox: inbox.id))

        await expectError(.mailboxExists) { try await store.renameMailbox(account: account, from: "INBOX", to: "Sent") }
        await expectError(.mailboxExists) {
            try await store.renameMailbox(account: account, from: "INBOX", to: "inbox")
        }
        try await store.renameMailbox(account: account, from: "inbox", to: "Archive/2024")

        let target = try #require(try await store.mailbox(account: account, name: "Archive/2024"))
        #expect(target.uidValidity > empty.uidValidity, "a fresh UIDVALIDITY")
        let moved = try await store.messages(account: account, mailbox: target.id, uids: UIDSet(ranges: [1...10]))
        #expect(moved.map(\.uid) == [1, 2, 3], "new UIDs, ascending in the old order")
        #expect(moved.map(\.flags) == before.map(\.flags))
        #expect(moved.map(\.internalDate) == before.map(\.internalDate))
        #expect(moved.map(\.size) == before.map(\.size))
        #expect(moved.map(\.emailID) == before.map(\.emailID), "the same messages")
        #expect(try await store.structures(account: account, mailbox: target.id, uids: UIDSet([2])) == [2: shape])
        for (n, meta) in zip(2...4, moved) {
            #expect(
                try await store.content(account: account, mailbox: target.id, uid: meta.uid) == Data(message(n).utf8))
        }

        // INBOX: empty, same identity, UIDs not reused, the removals visible as expunges.
        let after = try #require(try await store.mailbox(account: account, name: "INBOX"))
        #expect(after.id == inbox.id && after.uidValidity == inbox.uidValidity && after.uidNext == 5)
        #expect(after.highestModSeq > modSeqBefore)
        #expect(try await store.status(account: account, mailbox: inbox.id).messages == 0)
        let changes = try await store.changes(account: account, mailbox: inbox.id, since: modSeqBefore)
        #expect(changes.expunged == [2, 3, 4] && changes.changed.isEmpty)
        #expect(try await store.content(account: account, mailbox: inbox.id, uid: 2) == nil)
        #expect(try await append(store, account, inbox.id, message(5)).uid == 5)
        #expect(try await store.subscriptions(account: account).contains("INBOX"))
        #expect(try await store.syncState(account: account, mailbox: inbox.id)?.uidValidity == inbox.uidValidity)
    }
}
