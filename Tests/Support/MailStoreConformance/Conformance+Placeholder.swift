import Foundation
import MailStore
import Testing

/// A \Noselect placeholder (a mailbox deleted while it had children) refuses every message call with
/// `.noSelect`, except `highestModSeq`; `syncState` reports it as gone.
extension MailStoreConformance {
    public static func placeholderRefusesMessageCalls(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let parent = try await store.createMailbox(account: account, name: "P", specialUse: nil).id
        _ = try await store.createMailbox(account: account, name: "P/child", specialUse: nil)
        let uid = try await append(store, account, parent, message(1), flags: .deleted).uid
        _ = try await fill(store, account, inbox, count: 1)
        try await store.deleteMailbox(account: account, name: "P")
        let set = UIDSet([uid])
        let structure = MessageStructure(version: 1, data: [1])

        await expectError(.noSelect) { try await store.status(account: account, mailbox: parent) }
        await expectError(.noSelect) {
            try await store.snapshot(account: account, mailbox: parent, markRecentSeen: false)
        }
        await expectError(.noSelect) {
            try await store.snapshot(account: account, mailbox: parent, markRecentSeen: true)
        }
        await expectError(.noSelect) { try await store.claimRecent(account: account, mailbox: parent, through: uid) }
        await expectError(.noSelect) { try await store.changes(account: account, mailbox: parent, since: 0) }
        await expectError(.noSelect) { try await store.messages(account: account, mailbox: parent, uids: set) }
        await expectError(.noSelect) {
            try await store.messages(account: account, mailbox: parent, uids: set, with: .deleted, without: [])
        }
        await expectError(.noSelect) {
            try await store.uids(account: account, mailbox: parent, uids: set, with: [], without: .seen)
        }
        await expectError(.noSelect) { try await store.flagIndex(account: account, mailbox: parent) }
        await expectError(.noSelect) { try await store.content(account: account, mailbox: parent, uid: uid) }
        await expectError(.noSelect) { try await store.openContent(account: account, mailbox: parent, uid: uid) }
        await expectError(.noSelect) {
            try await store.forEachContent(account: account, mailbox: parent, uids: set) { _, _ in }
        }
        await expectError(.noSelect) {
            try await store.store(
                account: account, mailbox: parent, uids: set, operation: .add, flags: .seen, unchangedSince: nil)
        }
        await expectError(.noSelect) { try await store.copy(account: account, from: parent, uids: set, to: inbox) }
        await expectError(.noSelect) {
            try await store.copy(account: account, from: inbox, uids: UIDSet([1]), to: parent)
        }
        await expectError(.noSelect) { try await store.move(account: account, from: parent, uids: set, to: inbox) }
        await expectError(.noSelect) { try await store.expunge(account: account, mailbox: parent, uids: nil) }
        await expectError(.noSelect) { try await append(store, account, parent, message(2)) }
        await expectError(.noSelect) {
            try await store.append(account: account, mailbox: parent, messages: [try staged(store, 3)])
        }
        await expectError(.noSelect) { try await store.append(account: account, mailbox: parent, messages: []) }
        await expectError(.noSelect) { try await store.structures(account: account, mailbox: parent, uids: set) }
        await expectError(.noSelect) { try await store.derivedTexts(account: account, mailbox: parent, uids: set) }
        await expectError(.noSelect) {
            try await store.setStructure(account: account, mailbox: parent, uid: uid, structure: structure)
        }
        #expect(try await store.highestModSeq(account: account, mailbox: parent) != nil)
        #expect(try await store.syncState(account: account, mailbox: parent) == nil)
        #expect(stagingIsEmpty(store), "a refused append consumes its staged file")
        // The refused calls left INBOX alone.
        #expect(try await store.status(account: account, mailbox: inbox).messages == 1)
    }
}
