import Foundation
import MailStore
import Testing

/// The import ledger: `appendOnce` appends each keyed message once per account, records keys in the
/// transaction of the append, and `importedKeys` lists them.
extension MailStoreConformance {
    static func keyed(_ store: any MailStore & AccountStore, _ n: Int, _ key: String?) throws -> StagedAppend {
        var append = try staged(store, n)
        append.importKey = key
        return append
    }

    public static func importLedger(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await store.createMailbox(account: account, name: "Imported", specialUse: nil)
        let first = try await store.appendOnce(
            account: account, mailbox: box.id,
            messages: [try keyed(store, 1, "m:a"), try keyed(store, 2, "m:b"), try keyed(store, 3, nil)])
        #expect(first == [1, 2, 3].map { AppendResult(uidValidity: box.uidValidity, uid: UID($0)) })
        #expect(try await store.importedKeys(account: account, prefix: "") == ["m:a", "m:b"])
        #expect(try await store.importedKeys(account: account, prefix: "m:a") == ["m:a"])
        #expect(try await store.importedKeys(account: account, prefix: "x").isEmpty)

        // Known keys, and a key repeated within the batch, are skipped; the others are appended.
        let second = try await store.appendOnce(
            account: account, mailbox: box.id,
            messages: [
                try keyed(store, 4, "m:a"), try keyed(store, 5, "m:c"), try keyed(store, 6, "m:c"),
                try keyed(store, 7, nil),
            ])
        #expect(
            second == [
                nil, AppendResult(uidValidity: box.uidValidity, uid: 4), nil,
                .init(uidValidity: box.uidValidity, uid: 5),
            ])
        #expect(stagingIsEmpty(store), "skipped messages' staged files are removed")
        let metas = try await store.messages(account: account, mailbox: box.id, uids: UIDSet(ranges: [1...UID.max]))
        #expect(metas.map(\.size) == [1, 2, 3, 5, 7].map { message($0).utf8.count })

        // Nothing new: the mailbox does not change.
        let status = try await store.status(account: account, mailbox: box.id)
        let none = try await store.appendOnce(
            account: account, mailbox: box.id, messages: [try keyed(store, 8, "m:b"), try keyed(store, 9, "m:c")])
        #expect(none == [nil, nil])
        #expect(try await store.status(account: account, mailbox: box.id) == status)
        #expect(stagingIsEmpty(store))

        // Plain append records its keys but appends whatever it is given.
        let plain = try await store.append(
            account: account, mailbox: box.id, messages: [try keyed(store, 10, "m:a"), try keyed(store, 11, "m:d")])
        #expect(plain.map(\.uid) == [6, 7])
        #expect(try await store.importedKeys(account: account, prefix: "m:") == ["m:a", "m:b", "m:c", "m:d"])

        // An expunged message keeps its key: importing again does not bring it back.
        _ = try await store.store(
            account: account, mailbox: box.id, uids: UIDSet([1]), operation: .add, flags: .deleted, unchangedSince: nil)
        _ = try await store.expunge(account: account, mailbox: box.id, uids: nil)
        #expect(
            try await store.appendOnce(account: account, mailbox: box.id, messages: [try keyed(store, 1, "m:a")]) == [
                nil
            ])

        // Keys are per account and go with it.
        let bob = try await makeAccount(store, "bob")
        let bobInbox = try await mailboxID(store, bob, "INBOX")
        #expect(try await store.importedKeys(account: bob, prefix: "").isEmpty)
        let theirs = try await store.appendOnce(
            account: bob, mailbox: bobInbox, messages: [try keyed(store, 1, "m:a")])
        #expect(theirs.map { $0?.uid } == [1])
        try await store.deleteAccount(name: "bob")
        await expectError(.accountNotFound) { try await store.importedKeys(account: bob, prefix: "") }
        let again = try await makeAccount(store, "bob")
        #expect(try await store.importedKeys(account: again, prefix: "").isEmpty)
        await expectError(.mailboxNotFound) {
            try await store.appendOnce(account: again, mailbox: box.id, messages: [try keyed(store, 12, "m:z")])
        }
        #expect(try await store.importedKeys(account: account, prefix: "").count == 4)
        #expect(stagingIsEmpty(store))
    }

    /// A refused append records no key: after over quota, or a key over the length limit, nothing of
    /// the batch is there and the same keys import later.
    public static func importLedgerRefusals(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        try await store.setQuota(account: account, limits: QuotaLimits(messages: 2))
        await expectError(.overQuota) {
            try await store.appendOnce(
                account: account, mailbox: box,
                messages: [try keyed(store, 1, "a"), try keyed(store, 2, "b"), try keyed(store, 3, "c")])
        }
        #expect(try await store.importedKeys(account: account, prefix: "").isEmpty)
        #expect(try await store.status(account: account, mailbox: box).messages == 0)
        #expect(stagingIsEmpty(store))

        let longest = String(repeating: "k", count: StagedAppend.maxImportKeyLength)
        await expectError(.internal("")) {
            try await store.appendOnce(
                account: account, mailbox: box,
                messages: [try keyed(store, 4, "d"), try keyed(store, 5, longest + "k")])
        }
        #expect(try await store.importedKeys(account: account, prefix: "").isEmpty)
        #expect(stagingIsEmpty(store))

        let fits = try await store.appendOnce(
            account: account, mailbox: box, messages: [try keyed(store, 1, "a"), try keyed(store, 6, longest)])
        #expect(fits.map { $0?.uid } == [1, 2])
        #expect(try await store.importedKeys(account: account, prefix: "") == ["a", longest])
        // Keys of messages already there do not count against the quota.
        #expect(
            try await store.appendOnce(account: account, mailbox: box, messages: [try keyed(store, 1, "a")]) == [nil])
    }
}
