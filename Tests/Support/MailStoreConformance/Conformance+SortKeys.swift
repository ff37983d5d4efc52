import Foundation
import MailStore
import Testing

/// Sort keys (`SortKeyData`): kept and returned as given, replaced, ignored for UIDs not in the
/// mailbox, gone with the message, no MODSEQ change, and another account's mailbox is not found.
extension MailStoreConformance {
    public static func sortKeys(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store, "alice")
        let bob = try await makeAccount(store, "bob")
        let inbox = try await mailboxID(store, alice, "INBOX")
        let uids = try await fill(store, alice, inbox, count: 4)
        let all = UIDSet(uids)
        #expect(try await store.sortKeys(account: alice, mailbox: inbox, uids: all).isEmpty)
        let highest = try await store.highestModSeq(account: alice, mailbox: inbox)

        let a = SortKeyData(version: 1, data: [1, 2, 3])
        let b = SortKeyData(version: 2, data: Array(repeating: 7, count: 3000))
        try await store.setSortKeys(account: alice, mailbox: inbox, [uids[0]: a, uids[2]: b, 999: a])
        try await store.setSortKeys(account: alice, mailbox: inbox, [:])
        #expect(try await store.sortKeys(account: alice, mailbox: inbox, uids: all) == [uids[0]: a, uids[2]: b])
        #expect(try await store.sortKeys(account: alice, mailbox: inbox, uids: UIDSet([uids[2]])) == [uids[2]: b])
        #expect(try await store.highestModSeq(account: alice, mailbox: inbox) == highest)

        // Replaced; and an empty value is kept as such.
        let c = SortKeyData(version: 1, data: [])
        try await store.setSortKeys(account: alice, mailbox: inbox, [uids[0]: c])
        #expect(try await store.sortKeys(account: alice, mailbox: inbox, uids: UIDSet([uids[0]])) == [uids[0]: c])

        // Gone with the message, and not given to a message that later has the same UID elsewhere.
        _ = try await store.store(
            account: alice, mailbox: inbox, uids: UIDSet([uids[2]]), operation: .add, flags: .deleted,
            unchangedSince: nil)
        _ = try await store.expunge(account: alice, mailbox: inbox, uids: UIDSet([uids[2]]))
        #expect(try await store.sortKeys(account: alice, mailbox: inbox, uids: all) == [uids[0]: c])

        await expectError(.mailboxNotFound) { try await store.sortKeys(account: bob, mailbox: inbox, uids: all) }
        await expectError(.mailboxNotFound) { try await store.setSortKeys(account: bob, mailbox: inbox, [uids[1]: a]) }
        #expect(try await store.sortKeys(account: alice, mailbox: inbox, uids: UIDSet([uids[1]])).isEmpty)
    }
}
