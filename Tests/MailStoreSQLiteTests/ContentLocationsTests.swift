import Foundation
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ContentLocations` alone, and `openContent` through it: a reopened message is found without the
/// database, but never one that a commit may have made stale.
@Suite struct ContentLocationsTests {
    /// An open descriptor and the file it was opened on (tests run in parallel: a closed descriptor's
    /// number may be reused at once for another file).
    struct OpenFile {
        var fd: Int32
        var inode: UInt64

        var isOpen: Bool {
            var info = stat()
            return fstat(fd, &info) == 0 && UInt64(info.st_ino) == inode
        }
    }

    /// A file with `bytes`, opened read-only; the caller owns the descriptor.
    static func openTemporaryFile(_ bytes: [UInt8], in directory: URL) throws -> OpenFile {
        let url = directory.appendingPathComponent(UUID().uuidString)
        try Data(bytes).write(to: url)
        let fd = open(url.path, O_RDONLY)
        try #require(fd >= 0)
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        return OpenFile(fd: fd, inode: UInt64(info.st_ino))
    }

    @Test func remembersUntilACommitForgetsTheMailbox() {
        let locations = ContentLocations()
        let epoch = locations.lookup(account: 1, mailbox: 10, uid: 5).epoch
        locations.remember(account: 1, mailbox: 10, uid: 5, blob: "b5", file: nil, size: 10, epoch: epoch)
        locations.remember(account: 1, mailbox: 11, uid: 5, blob: "c5", file: nil, size: 10, epoch: epoch)
        #expect(locations.lookup(account: 1, mailbox: 10, uid: 5).blob == "b5")
        #expect(locations.lookup(account: 2, mailbox: 10, uid: 5).blob == nil, "another account's key")
        #expect(locations.lookup(account: 1, mailbox: 10, uid: 6).blob == nil)
        locations.forget([10], unlinked: [])
        #expect(locations.lookup(account: 1, mailbox: 10, uid: 5).blob == nil)
        #expect(locations.lookup(account: 1, mailbox: 11, uid: 5).blob == "c5", "other mailboxes stay")
        #expect(locations.counts.messages == 1)
    }

    @Test func aReadFromBeforeACommitIsNotKept() throws {
        try withTemporaryDirectorySync { directory in
            let locations = ContentLocations()
            let before = locations.lookup(account: 1, mailbox: 10, uid: 5).epoch
            locations.forget([99], unlinked: [])  // any commit, even of another mailbox
            let file = try Self.openTemporaryFile([1, 2, 3], in: directory)
            locations.remember(account: 1, mailbox: 10, uid: 5, blob: "b5", file: file.fd, size: 3, epoch: before)
            #expect(locations.lookup(account: 1, mailbox: 10, uid: 5).blob == nil)
            #expect(locations.counts.files == 0)
            #expect(!file.isOpen, "the descriptor it was given is closed")
        }
    }

    @Test func heldFilesAreDuplicatedAndTheOldestClosed() throws {
        try withTemporaryDirectorySync { directory in
            let locations = ContentLocations(limit: 100, fileLimit: 2)
            var files: [OpenFile] = []
            for uid in UID(1)...3 {
                let epoch = locations.lookup(account: 1, mailbox: 10, uid: uid).epoch
                let file = try Self.openTemporaryFile(Array(repeating: UInt8(uid), count: 100), in: directory)
                files.append(file)
                locations.remember(
                    account: 1, mailbox: 10, uid: uid, blob: "b\(uid)", file: file.fd, size: 100, epoch: epoch)
            }
            #expect(locations.counts == (3, 2))
            #expect(!files[0].isOpen, "the least recently used file is closed")
            #expect(locations.lookup(account: 1, mailbox: 10, uid: 1).content == nil)
            let found = locations.lookup(account: 1, mailbox: 10, uid: 3)
            let content = try #require(found.content)
            #expect(content.size == 100)
            #expect(try content.read(upTo: 1000) == Array(repeating: 3, count: 100))
            #expect(files[2].isOpen, "the held file stays open after its copy is read and closed")
            locations.forget([], unlinked: ["b3"])
            #expect(!files[2].isOpen, "the file of unlinked content is closed")
            #expect(locations.counts.files == 1)
        }
    }

    @Test func pastTheLimitEverythingIsDroppedAndRefilled() {
        let locations = ContentLocations(limit: 4)
        for uid in UID(1)...5 {
            let epoch = locations.lookup(account: 1, mailbox: 10, uid: uid).epoch
            locations.remember(account: 1, mailbox: 10, uid: uid, blob: "b\(uid)", file: nil, size: 1, epoch: epoch)
        }
        #expect(locations.counts.messages == 1)
        #expect(locations.lookup(account: 1, mailbox: 10, uid: 5).blob == "b5")
        #expect(locations.lookup(account: 1, mailbox: 10, uid: 1).blob == nil)
    }

    // MARK: through the store

    /// A mailbox deleted into a placeholder (it has a child) and created again restarts its UIDs at 1:
    /// UID 1 must then open the new message, not the one remembered from before.
    @Test func aMailboxCreatedAgainOpensItsNewMessages() async throws {
        try await withSQLiteStore { store in
            let account = try await MailStoreConformance.makeAccount(store)
            _ = try await store.createMailbox(account: account, name: "a/b", specialUse: nil)
            let a = try await MailStoreConformance.mailboxID(store, account, "a")
            let old = try await MailStoreConformance.append(store, account, a, "Subject: old\r\n\r\nold\r\n")
            // The old message is also copied elsewhere, so its file outlives the delete.
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            _ = try await store.copy(account: account, from: a, uids: UIDSet([old.uid]), to: inbox)
            let first = try #require(try await store.openContent(account: account, mailbox: a, uid: old.uid))
            #expect(String(decoding: try first.read(upTo: 1000), as: UTF8.self).contains("old"))
            try await store.deleteMailbox(account: account, name: "a")
            await #expect(throws: MailStoreError.noSelect, "a placeholder has no messages") {
                try await store.openContent(account: account, mailbox: a, uid: old.uid)
            }
            let again = try await store.createMailbox(account: account, name: "a", specialUse: nil)
            #expect(again.id == a)
            let new = try await MailStoreConformance.append(store, account, a, "Subject: new\r\n\r\nnew\r\n")
            #expect(new.uid == old.uid)
            let reopened = try #require(try await store.openContent(account: account, mailbox: a, uid: new.uid))
            #expect(String(decoding: try reopened.read(upTo: 1000), as: UTF8.self).contains("new"))
        }
    }

    /// A large message is opened from its held file the second time; both readers have their own offset,
    /// and expunging it closes the held file.
    @Test func aLargeMessageIsReopenedFromItsHeldFile() async throws {
        try await withSQLiteStore { store in
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let body = (0..<3000).map { "line \($0) of a large message\r\n" }.joined()
            let text = "Subject: large\r\n\r\n" + body
            let uid = try await MailStoreConformance.append(store, account, inbox, text).uid
            let expected = Array(text.utf8)
            try #require(expected.count >= SQLiteMailStore.heldFileMinimumSize)
            let one = try #require(try await store.openContent(account: account, mailbox: inbox, uid: uid))
            #expect(store.contentLocations.counts == (1, 1))
            let two = try #require(try await store.openContent(account: account, mailbox: inbox, uid: uid))
            #expect(one.size == expected.count && two.size == expected.count)
            let head = try one.read(upTo: 100)
            try two.skip(50_000)
            let tail = try two.read(upTo: expected.count)
            let rest = try one.read(upTo: expected.count)
            #expect(head + rest == expected)
            #expect(tail == Array(expected[50_000...]))
            _ = try await store.store(
                account: account, mailbox: inbox, uids: UIDSet([uid]), operation: .add,
                flags: MessageFlags(system: .deleted), unchangedSince: nil)
            #expect(store.contentLocations.counts.messages == 0, "a commit to the mailbox forgets its entries")
            _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
            #expect(store.contentLocations.counts == (0, 0), "the unlinked content's file is closed")
            #expect(try await store.openContent(account: account, mailbox: inbox, uid: uid) == nil)
        }
    }
}

private func withTemporaryDirectorySync(_ body: (URL) throws -> Void) throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    try body(url)
}
