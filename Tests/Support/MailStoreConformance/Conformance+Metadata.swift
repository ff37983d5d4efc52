import Foundation
import MailStore
import Testing

/// METADATA entries (RFC 5464, `MetadataStore`): per target and per account, all or none, within
/// `MetadataLimits`, following RENAME and going with DELETE.
extension MailStoreConformance {
    /// Set, read back in name order, replace, remove; server and mailbox entries are apart, and so
    /// are accounts.
    public static func metadataEntries(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let other = try await makeAccount(store, "bob")
        let inbox = try await mailboxID(store, account, "INBOX")
        #expect(try await store.metadata(account: account, target: .server).isEmpty)
        try await store.setMetadata(
            account: account, target: .server,
            changes: [
                MetadataChange(name: "/shared/comment", value: Array("server".utf8)),
                MetadataChange(name: "/private/a", value: [0, 1, 2]),
            ])
        try await store.setMetadata(
            account: account, target: .mailbox(inbox),
            changes: [MetadataChange(name: "/private/comment", value: Array("inbox".utf8))])
        #expect(
            try await store.metadata(account: account, target: .server) == [
                MetadataEntry(name: "/private/a", value: [0, 1, 2]),
                MetadataEntry(name: "/shared/comment", value: Array("server".utf8)),
            ])
        #expect(
            try await store.metadata(account: account, target: .mailbox(inbox)) == [
                MetadataEntry(name: "/private/comment", value: Array("inbox".utf8))
            ])
        #expect(try await store.metadata(account: other, target: .server).isEmpty, "accounts are apart")

        // Replace and remove in one call; removing an absent entry is no error; an empty value is a value.
        try await store.setMetadata(
            account: account, target: .server,
            changes: [
                MetadataChange(name: "/shared/comment", value: []),
                MetadataChange(name: "/private/a", value: nil),
                MetadataChange(name: "/private/never", value: nil),
            ])
        #expect(
            try await store.metadata(account: account, target: .server) == [
                MetadataEntry(name: "/shared/comment", value: [])
            ])

        // Another account's mailbox is not reachable; a placeholder holds none; unknown accounts.
        let bobInbox = try await mailboxID(store, other, "INBOX")
        await expectError(.mailboxNotFound) { try await store.metadata(account: account, target: .mailbox(bobInbox)) }
        await expectError(.mailboxNotFound) {
            try await store.setMetadata(
                account: account, target: .mailbox(bobInbox), changes: [MetadataChange(name: "/private/x", value: [])])
        }
        _ = try await store.createMailbox(account: account, name: "a/b", specialUse: nil)
        try await store.deleteMailbox(account: account, name: "a")
        let placeholder = try await mailboxID(store, account, "a")
        await expectError(.noSelect) { try await store.metadata(account: account, target: .mailbox(placeholder)) }
        await expectError(.accountNotFound) { try await store.metadata(account: 9_999, target: .server) }
        await expectError(.accountNotFound) {
            try await store.setMetadata(account: 9_999, target: .server, changes: [])
        }
    }

    /// Entries follow RENAME (children's too) and go with DELETE, also when the mailbox stays as a
    /// placeholder; a mailbox made again under the old name starts without any.
    public static func metadataFollowsMailbox(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let work = try await store.createMailbox(account: account, name: "Work", specialUse: nil)
        let child = try await store.createMailbox(account: account, name: "Work/Old", specialUse: nil)
        let note = [MetadataChange(name: "/private/note", value: Array("n".utf8))]
        try await store.setMetadata(account: account, target: .mailbox(work.id), changes: note)
        try await store.setMetadata(account: account, target: .mailbox(child.id), changes: note)
        try await store.renameMailbox(account: account, from: "Work", to: "Jobs")
        let renamed = try await mailboxID(store, account, "Jobs/Old")
        #expect(renamed == child.id)
        #expect(try await store.metadata(account: account, target: .mailbox(renamed)).count == 1)
        #expect(try await store.metadata(account: account, target: .mailbox(work.id)).count == 1)

        try await store.deleteMailbox(account: account, name: "Jobs")
        try await store.deleteMailbox(account: account, name: "Jobs/Old")
        let again = try await store.createMailbox(account: account, name: "Jobs", specialUse: nil)
        #expect(try await store.metadata(account: account, target: .mailbox(again.id)).isEmpty)
        // Nothing of the deleted mailboxes counts against the account any more.
        let many = (0..<MetadataLimits.maxEntriesPerTarget).map {
            MetadataChange(name: "/private/n\($0)", value: [1])
        }
        try await store.setMetadata(account: account, target: .server, changes: many)
        #expect(try await store.metadata(account: account, target: .server).count == MetadataLimits.maxEntriesPerTarget)
    }

    /// The limits: a value over `maxValueSize`, a target past `maxEntriesPerTarget` and an account past
    /// `maxEntriesPerAccount` are refused and change nothing (all or none); at the limits all is well.
    public static func metadataLimits(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let largest = [UInt8](repeating: 0x61, count: MetadataLimits.maxValueSize)
        try await store.setMetadata(
            account: account, target: .server, changes: [MetadataChange(name: "/shared/big", value: largest)])
        #expect(try await store.metadata(account: account, target: .server).first?.value == largest)
        await expectMetadataError(.valueTooLarge(max: MetadataLimits.maxValueSize)) {
            try await store.setMetadata(
                account: account, target: .server,
                changes: [
                    MetadataChange(name: "/shared/small", value: [1]),
                    MetadataChange(name: "/shared/bigger", value: largest + [0x61]),
                ])
        }
        #expect(try await store.metadata(account: account, target: .server).count == 1, "all or none")

        // Up to the per-target limit, then one more is TOOMANY; replacing or removing still works.
        let fill = (1..<MetadataLimits.maxEntriesPerTarget).map { MetadataChange(name: "/private/e\($0)", value: [2]) }
        try await store.setMetadata(account: account, target: .server, changes: fill)
        await expectMetadataError(.tooMany) {
            try await store.setMetadata(
                account: account, target: .server, changes: [MetadataChange(name: "/private/one-more", value: [])])
        }
        try await store.setMetadata(
            account: account, target: .server,
            changes: [
                MetadataChange(name: "/private/e1", value: nil),
                MetadataChange(name: "/private/swap", value: [3]),
                MetadataChange(name: "/shared/big", value: [4]),
            ])
        #expect(try await store.metadata(account: account, target: .server).count == MetadataLimits.maxEntriesPerTarget)

        // The account's limit over many mailboxes.
        var total = MetadataLimits.maxEntriesPerTarget
        var index = 0
        while total < MetadataLimits.maxEntriesPerAccount {
            let box = try await store.createMailbox(account: account, name: "m\(index)", specialUse: nil)
            let count = min(MetadataLimits.maxEntriesPerTarget, MetadataLimits.maxEntriesPerAccount - total)
            try await store.setMetadata(
                account: account, target: .mailbox(box.id),
                changes: (0..<count).map { MetadataChange(name: "/shared/x\($0)", value: []) })
            total += count
            index += 1
        }
        await expectMetadataError(.tooMany) {
            try await store.setMetadata(
                account: account, target: .mailbox(inbox), changes: [MetadataChange(name: "/shared/last", value: [])])
        }
        #expect(try await store.metadata(account: account, target: .mailbox(inbox)).isEmpty)
        let other = try await makeAccount(store, "bob")
        try await store.setMetadata(
            account: other, target: .server, changes: [MetadataChange(name: "/shared/mine", value: [])])

        // Names the store refuses (the session answers BAD before it asks).
        for name in ["/private", "/other/x", "/private/UPPER", "/private/a*", "/private//a"] {
            await expectMetadataError(nil) {
                try await store.setMetadata(
                    account: other, target: .server, changes: [MetadataChange(name: name, value: [])])
            }
        }
    }

    /// Writers racing on one account never take it past its limit.
    public static func metadataUnderConcurrentWriters(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let boxes = try await withThrowingTaskGroup(of: MailboxID.self) { group in
            for i in 0..<12 {
                group.addTask { try await store.createMailbox(account: account, name: "c\(i)", specialUse: nil).id }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let refused = await withTaskGroup(of: Int.self) { group in
            for box in boxes {
                group.addTask {
                    let changes = (0..<MetadataLimits.maxEntriesPerTarget).map {
                        MetadataChange(name: "/private/k\($0)", value: [1])
                    }
                    do {
                        try await store.setMetadata(account: account, target: .mailbox(box), changes: changes)
                        return 0
                    } catch {
                        #expect(error as? MetadataError == .tooMany)
                        return 1
                    }
                }
            }
            return await group.reduce(0, +)
        }
        var stored = 0
        for box in boxes { stored += try await store.metadata(account: account, target: .mailbox(box)).count }
        #expect(stored <= MetadataLimits.maxEntriesPerAccount)
        #expect(stored == (boxes.count - refused) * MetadataLimits.maxEntriesPerTarget)
        #expect(refused == boxes.count - MetadataLimits.maxEntriesPerAccount / MetadataLimits.maxEntriesPerTarget)
    }

    /// `body` throws `expected` (any `.invalidName` when nil).
    static func expectMetadataError(
        _ expected: MetadataError?, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("expected a metadata error, got success", sourceLocation: sourceLocation)
        } catch let error as MetadataError {
            if let expected {
                #expect(error == expected, sourceLocation: sourceLocation)
            } else if case .invalidName = error {
            } else {
                Issue.record("expected invalidName, got \(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected a metadata error, got \(error)", sourceLocation: sourceLocation)
        }
    }
}
