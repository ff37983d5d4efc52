import Foundation
import GRDB
import MailStore
import MailStoreConformance
import MailStoreSQLite
import Testing

func withSQLiteStore(_ body: (SQLiteMailStore) async throws -> Void) async throws {
    try await withTemporaryDirectory { url in
        try await body(try SQLiteMailStore(dataDirectory: url))
    }
}

/// Properties only the SQLite engine has: files on disk.
@Suite struct SQLiteEngineTests {
    func files(in directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var names: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                names.append(url.lastPathComponent)
            }
        }
        return names.sorted()
    }

    /// Concurrent appends (the conformance check) go through the group-commit writer.
    @Test func concurrentAppendsAreCounted() async throws {
        try await withSQLiteStore { store in
            let before = store.writeStatistics
            try await MailStoreConformance.concurrentAppends(store)
            let after = store.writeStatistics
            #expect(after.operations - before.operations >= 200)
            #expect(after.transactions - before.transactions <= after.operations - before.operations)
        }
    }

    @Test func crashRecovery() async throws {
        try await withTemporaryDirectory { url in
            let blobs = url.appendingPathComponent("blobs")
            let tmp = url.appendingPathComponent("tmp")
            do {
                let store = try SQLiteMailStore(dataDirectory: url)
                let account = try await MailStoreConformance.makeAccount(store)
                let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
                try await MailStoreConformance.append(store, account, inbox, "kept")
                #expect(files(in: blobs).count == 1)
            }
            // Leftovers of a crash: a half-written staged file and a placed but uncommitted blob.
            try Data("half".utf8).write(to: tmp.appendingPathComponent("0123.part"))
            let orphanID = "ab" + String(repeating: "0", count: 30)
            try FileManager.default.createDirectory(
                at: blobs.appendingPathComponent("ab"), withIntermediateDirectories: true)
            try Data("orphan".utf8).write(to: blobs.appendingPathComponent("ab/\(orphanID)"))

            let store = try SQLiteMailStore(dataDirectory: url)
            #expect(files(in: tmp).isEmpty)
            #expect(!files(in: blobs).contains(orphanID))
            #expect(files(in: blobs).count == 1)
            let account = try #require(try await store.credentials(accountName: "alice")).0
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            #expect(try await store.content(account: account, mailbox: inbox, uid: 1) == Data("kept".utf8))

            // A second process-like opener while this one is open must not touch in-flight files.
            let inFlight = try MailStoreConformance.stage(store, "in flight")
            let second = try SQLiteMailStore(dataDirectory: url)
            #expect(FileManager.default.fileExists(atPath: inFlight.path))
            #expect(try await second.listAccounts().count == 1)
            // Both openers write at the same time (the CLI adding a user while the server appends).
            async let appended = MailStoreConformance.append(store, account, inbox, "from the server")
            let bob = try await MailStoreConformance.makeAccount(second, "bob")
            #expect(try await appended.uid == 2)
            #expect(try await store.credentials(accountName: "bob")?.0 == bob)
            #expect(try await second.content(account: account, mailbox: inbox, uid: 2) == Data("from the server".utf8))
        }
    }

    @Test func contentFilesFollowReferences() async throws {
        try await withSQLiteStore { store in
            let blobs = store.dataDirectory.appendingPathComponent("blobs")
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let trash = try await MailStoreConformance.mailboxID(store, account, "Trash")
            _ = try await MailStoreConformance.fill(store, account, inbox, count: 3)
            _ = try await store.copy(account: account, from: inbox, uids: UIDSet([1, 2, 3]), to: trash)
            #expect(files(in: blobs).count == 3, "COPY shares content")
            _ = try await store.store(
                account: account, mailbox: inbox, uids: UIDSet([1, 2]), operation: .add, flags: .deleted,
                unchangedSince: nil)
            _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
            #expect(files(in: blobs).count == 3, "still referenced from Trash")
            _ = try await store.store(
                account: account, mailbox: trash, uids: UIDSet([1]), operation: .add, flags: .deleted,
                unchangedSince: nil)
            _ = try await store.expunge(account: account, mailbox: trash, uids: nil)
            #expect(files(in: blobs).count == 2, "unreferenced content is unlinked at once")
            try await store.deleteMailbox(account: account, name: "Trash")
            #expect(files(in: blobs).count == 1)
            // A refused append consumes the staged file and leaves no content behind.
            let staged = try MailStoreConformance.stage(store, "refused")
            await MailStoreConformance.expectError(.mailboxNotFound) {
                try await store.append(
                    account: account, mailbox: 999_999, message: staged, flags: .init(), internalDate: Date())
            }
            #expect(files(in: blobs).count == 1)
            #expect(files(in: store.stagingDirectory).isEmpty)
            try await store.deleteAccount(name: "alice")
            #expect(files(in: blobs).isEmpty)
        }
    }

    @Test func reopenKeepsEverything() async throws {
        try await withTemporaryDirectory { url in
            let info: MailboxInfo
            do {
                let store = try SQLiteMailStore(dataDirectory: url)
                let account = try await MailStoreConformance.makeAccount(store)
                info = try await store.createMailbox(account: account, name: "Work", specialUse: nil)
                _ = try await MailStoreConformance.fill(store, account, info.id, count: 2)
            }
            let store = try SQLiteMailStore(dataDirectory: url)
            let account = try #require(try await store.credentials(accountName: "alice")).0
            let again = try #require(try await store.mailbox(account: account, name: "Work"))
            #expect(again.uidValidity == info.uidValidity && again.uidNext == 3)
        }
    }

    /// Group commit: appends that arrive while the writer is busy share its next commit. Another
    /// connection holds the database's write lock meanwhile, so the writer's first transaction waits
    /// for it (busy timeout) and every append handed over in that time joins a batch instead of
    /// committing alone. Without group commit, eight appends would be eight transactions.
    @Test func concurrentAppendsShareACommit() async throws {
        try await withTemporaryDirectory { url in
            let store = try SQLiteMailStore(dataDirectory: url)
            let account = try await MailStoreConformance.makeAccount(store)
            let box = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let blocker = try DatabaseQueue(path: url.appendingPathComponent("postern.sqlite").path)
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                do {
                    try blocker.inDatabase { db in
                        try db.execute(sql: "BEGIN IMMEDIATE")
                        locked.signal()
                        release.wait()
                        try db.execute(sql: "COMMIT")
                    }
                } catch {
                    Issue.record("the blocking connection failed: \(error)")
                    locked.signal()
                }
            }
            locked.wait()
            let before = store.writeStatistics
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        try await MailStoreConformance.append(store, account, box, MailStoreConformance.message(i))
                    }
                }
                // Well below the 5 s busy timeout, well above the time the appends take to queue.
                group.addTask {
                    try await Task.sleep(for: .milliseconds(1500))
                    release.signal()
                }
                try await group.waitForAll()
            }
            let after = store.writeStatistics
            #expect(after.operations - before.operations == 8)
            #expect(after.transactions - before.transactions < 8, "the appends that queued share a commit")
            let snapshot = try await store.snapshot(account: account, mailbox: box, markRecentSeen: false)
            #expect(snapshot.uids == Array(1...8))
        }
    }
}
