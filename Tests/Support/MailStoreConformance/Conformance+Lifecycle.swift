import Foundation
import MailStore
import Synchronization
import Testing

/// Identities that must never come back (UIDVALIDITY, mailbox ids), the watch of an account's
/// removal, and staged files that every append consumes.
extension MailStoreConformance {
    public static func uidValidityNeverReused(_ store: any MailStore & AccountStore) async throws {
        var given: [UIDValidity] = []
        var ids: Set<MailboxID> = []
        func record(_ boxes: [MailboxInfo], sourceLocation: SourceLocation = #_sourceLocation) {
            for box in boxes {
                #expect(
                    box.uidValidity > (given.max() ?? 0), "\(box.name): a new UIDVALIDITY",
                    sourceLocation: sourceLocation)
                #expect(!ids.contains(box.id), "\(box.name): a new id", sourceLocation: sourceLocation)
                given.append(box.uidValidity)
                ids.insert(box.id)
            }
        }
        let alice = try await makeAccount(store)
        record(try await store.listMailboxes(account: alice).sorted { $0.uidValidity < $1.uidValidity })
        for _ in 0..<3 {
            record([try await store.createMailbox(account: alice, name: "X", specialUse: nil)])
            try await store.deleteMailbox(account: alice, name: "X")
        }
        try await store.renameMailbox(account: alice, from: "INBOX", to: "Moved")
        record([try #require(try await store.mailbox(account: alice, name: "Moved"))])
        // A placeholder made selectable again keeps its id but never an old UIDVALIDITY.
        let parent = try await store.createMailbox(account: alice, name: "P", specialUse: nil)
        record([parent])
        _ = try await store.createMailbox(account: alice, name: "P/c", specialUse: nil)
        given.append(try #require(try await store.mailbox(account: alice, name: "P/c")).uidValidity)
        try await store.deleteMailbox(account: alice, name: "P")
        let revived = try await store.createMailbox(account: alice, name: "P", specialUse: nil)
        #expect(revived.uidValidity > given.max() ?? 0)
        given.append(revived.uidValidity)
        // An account deleted and made again under the same name starts with all new mailboxes.
        try await store.deleteAccount(name: "alice")
        let again = try await makeAccount(store)
        #expect(again != alice)
        record(try await store.listMailboxes(account: again).sorted { $0.uidValidity < $1.uidValidity })
    }

    public static func accountRemovalIsWatched(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store)
        let bob = try await makeAccount(store, "bob")
        let calls = CallCounts()
        func watch(_ account: AccountID, _ label: String) -> WatchToken {
            store.changeHub.watch(account: account) { calls.count(label) }
        }
        let tokens = [watch(alice, "alice"), watch(alice, "alice again"), watch(bob, "bob")]
        let cancelled = watch(alice, "cancelled")
        cancelled.cancel()
        try await store.deleteAccount(name: "ALICE")
        for _ in 0..<400 where calls.counts["alice"] == nil || calls.counts["alice again"] == nil {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(calls.counts == ["alice": 1, "alice again": 1], "each watcher of the account, once")
        for token in tokens { token.cancel() }
    }

    public static func stagedFilesConsumed(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let bob = try await makeAccount(store, "bob")
        let theirs = try await mailboxID(store, bob, "INBOX")
        // Another session's message still being written is left alone.
        let writing = try store.stageMessage(maxSize: 64 << 20)
        try writing.write(Array("in progress".utf8))
        defer { writing.abort() }
        func stagedFiles() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: stagingDirectory(store).path)) ?? []).filter {
                $0 != writing.url.lastPathComponent
            }
        }

        _ = try await append(store, account, inbox, message(1))
        #expect(stagedFiles().isEmpty, "moved into the store")
        await expectError(.mailboxNotFound) { try await append(store, account, 999_999, message(2)) }
        #expect(stagedFiles().isEmpty, "removed when the mailbox is missing")
        await expectError(.mailboxNotFound) { try await append(store, account, theirs, message(3)) }
        #expect(stagedFiles().isEmpty, "removed when the mailbox is another account's")
        #expect(FileManager.default.fileExists(atPath: writing.url.path))
        #expect(try await store.content(account: account, mailbox: inbox, uid: 1) == Data(message(1).utf8))
        #expect(try await store.status(account: bob, mailbox: theirs).messages == 0)
    }
}

/// How often each labelled callback was called.
private final class CallCounts: Sendable {
    private let value = Mutex<[String: Int]>([:])

    func count(_ label: String) { value.withLock { $0[label, default: 0] += 1 } }
    var counts: [String: Int] { value.withLock { $0 } }
}
