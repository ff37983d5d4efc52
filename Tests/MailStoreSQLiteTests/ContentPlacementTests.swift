import Foundation
import GRDB
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// Moving staged files into the store: inside the transaction that refers to them, with their
/// directories synced once per batch before it commits, and nothing left behind when it is refused.
@Suite struct ContentPlacementTests {
    private func regularFiles(in directory: URL) -> Set<String> {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var names: Set<String> = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                names.insert(url.lastPathComponent)
            }
        }
        return names
    }

    private func stageFile(in directory: URL, _ text: String) throws -> StagedMessage {
        let writer = try MessageStaging(directory: directory).begin()
        try writer.write(Array(text.utf8))
        return try writer.finish()
    }

    @Test func moveInNamesTheDirectoriesToSync() async throws {
        try await withTemporaryDirectory { url in
            let root = url.appendingPathComponent("blobs")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let blobs = BlobFiles(root: root)
            let first = try blobs.moveIn([try stageFile(in: url, "one")])
            let id = try #require(first.files.first?.id)
            let shard = root.appendingPathComponent(String(id.prefix(2))).path
            #expect(first.directories == [root.path, shard], "a new shard: blobs/ and the shard")
            #expect(first.files.first?.size == 3)
            #expect(try String(contentsOfFile: blobs.path(of: id), encoding: .utf8) == "one")

            // Into a shard that exists already: only the shard is named, never blobs/.
            for byte in 0...255 {
                let name = String(RandomName.hex(UInt64(byte) << 56, 0).prefix(2))
                try FileManager.default.createDirectory(
                    at: root.appendingPathComponent(name), withIntermediateDirectories: true)
            }
            let second = try blobs.moveIn([try stageFile(in: url, "two"), try stageFile(in: url, "three")])
            let shards = Set(second.files.map { "\(root.path)/\($0.id.prefix(2))" })
            #expect(second.directories == shards)
            #expect(blobs.allIDs().count == 3)
        }
    }

    @Test func moveInIsAllOrNothing() async throws {
        try await withTemporaryDirectory { url in
            let root = url.appendingPathComponent("blobs")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let blobs = BlobFiles(root: root)
            let first = try stageFile(in: url, "first")
            let missing = StagedMessage(url: url.appendingPathComponent("gone.part"), size: 4)
            let last = try stageFile(in: url, "last")
            #expect(throws: MailStoreError.self) { try blobs.moveIn([first, missing, last]) }
            #expect(blobs.allIDs().isEmpty, "the file moved before the failure is unlinked again")
            #expect(!FileManager.default.fileExists(atPath: first.path))
            #expect(FileManager.default.fileExists(atPath: last.path), "a file not moved stays the caller's")
        }
    }

    @Test func aRefusedAppendLeavesNoFileBehind() async throws {
        try await withSQLiteStore { store in
            let blobs = store.dataDirectory.appendingPathComponent("blobs")
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            try await MailStoreConformance.append(store, account, inbox, MailStoreConformance.message(1))
            try await store.setQuota(account: account, limits: QuotaLimits(messages: 1))
            let before = regularFiles(in: blobs)
            // Refused inside the transaction, after the file was moved into the store.
            let staged = try MailStoreConformance.stage(store, MailStoreConformance.message(2))
            await MailStoreConformance.expectError(.overQuota) {
                _ = try await store.append(
                    account: account, mailbox: inbox,
                    messages: [StagedAppend(message: staged, flags: .init(), internalDate: Date())])
            }
            #expect(regularFiles(in: blobs) == before)
            #expect(regularFiles(in: store.stagingDirectory).isEmpty)
            // The same for one message filed into several mailboxes (delivery).
            let trash = try await MailStoreConformance.mailboxID(store, account, "Trash")
            let delivered = try MailStoreConformance.stage(store, MailStoreConformance.message(3))
            await MailStoreConformance.expectError(.overQuota) {
                _ = try await store.append(
                    account: account,
                    message: StagedAppend(message: delivered, flags: .init(), internalDate: Date()),
                    placements: [
                        MailboxPlacement(mailbox: inbox, flags: .init()),
                        MailboxPlacement(mailbox: trash, flags: .init()),
                    ])
            }
            #expect(regularFiles(in: blobs) == before)
            #expect(regularFiles(in: store.stagingDirectory).isEmpty)
        }
    }

    @Test func deliveryToSeveralMailboxesSharesOneFile() async throws {
        try await withSQLiteStore { store in
            let blobs = store.dataDirectory.appendingPathComponent("blobs")
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let trash = try await MailStoreConformance.mailboxID(store, account, "Trash")
            let staged = try MailStoreConformance.stage(store, "delivered")
            let results = try await store.append(
                account: account, message: StagedAppend(message: staged, flags: .init(), internalDate: Date()),
                placements: [
                    MailboxPlacement(mailbox: inbox, flags: .init()), MailboxPlacement(mailbox: trash, flags: .init()),
                ])
            #expect(results.count == 2)
            #expect(regularFiles(in: blobs).count == 1)
            #expect(try await store.content(account: account, mailbox: trash, uid: 1) == Data("delivered".utf8))
        }
    }

    /// Many appends at once: every one is readable afterwards from its own file, and they shared
    /// transactions (so shared directory syncs).
    @Test func concurrentAppendsEachKeepTheirFile() async throws {
        try await withSQLiteStore { store in
            let blobs = store.dataDirectory.appendingPathComponent("blobs")
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let before = store.writeStatistics
            let uids = try await withThrowingTaskGroup(of: (Int, UID).self) { group in
                for n in 0..<64 {
                    group.addTask {
                        (n, try await MailStoreConformance.append(store, account, inbox, "message \(n)").uid)
                    }
                }
                return try await group.reduce(into: [Int: UID]()) { $0[$1.0] = $1.1 }
            }
            let after = store.writeStatistics
            #expect(after.operations - before.operations == 64)
            #expect(regularFiles(in: blobs).count == 64)
            for (n, uid) in uids {
                #expect(
                    try await store.content(account: account, mailbox: inbox, uid: uid) == Data("message \(n)".utf8))
            }
        }
    }

    /// The writer syncs each named directory once per batch, before the commit (a reader on another
    /// connection does not see the rows yet), and a directory that cannot be synced fails the batch.
    @Test func directoriesAreSyncedOnceBeforeTheCommit() async throws {
        try await withTemporaryDirectory { url in
            let path = url.appendingPathComponent("postern.sqlite").path
            let pool = try SQLiteMailStore.openWriterPool(
                path: path, configuration: SQLiteMailStore.databaseConfiguration())
            try await pool.write { db in try db.execute(sql: "CREATE TABLE probe (x INTEGER)") }
            let observer = try DatabaseQueue(path: path)
            let syncs = SyncLog()
            let writer = GroupCommitWriter(
                pool: pool,
                syncDirectory: { directory in
                    let visible = try observer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM probe") }
                    syncs.record(directory, rowsVisible: visible ?? -1)
                    if directory == "broken" { throw MailStoreError.internal("fsync failed") }
                },
                afterCommit: { _, _ in })
            try await writer.write { db, effects in
                try db.execute(sql: "INSERT INTO probe VALUES (1)")
                effects.syncDirectories = ["blobs/b", "blobs/a"]
            }
            #expect(syncs.all.map(\.directory) == ["blobs/a", "blobs/b"])
            #expect(syncs.all.allSatisfy { $0.rowsVisible == 0 }, "synced before the row is committed")

            // An operation rolled back alone: its directories are not synced.
            syncs.clear()
            await #expect(throws: MailStoreError.self) {
                try await writer.write { db, effects in
                    try db.execute(sql: "INSERT INTO probe VALUES (9)")
                    effects.syncDirectories = ["blobs/never"]
                    throw MailStoreError.mailboxNotFound
                }
            }
            #expect(syncs.all.isEmpty)

            // Operations that share a transaction share its syncs.
            let batchesBefore = writer.statistics.batches
            async let first: Void = writer.write { db, effects in
                try db.execute(sql: "INSERT INTO probe VALUES (2)")
                effects.syncDirectories = ["blobs/c"]
            }
            async let second: Void = writer.write { db, effects in
                try db.execute(sql: "INSERT INTO probe VALUES (3)")
                effects.syncDirectories = ["blobs/c"]
            }
            try await first
            try await second
            #expect(Set(syncs.all.map(\.directory)) == ["blobs/c"])
            // One sync of blobs/c per transaction: once if the two shared it, twice if they did not.
            #expect(syncs.all.count == writer.statistics.batches - batchesBefore)

            await #expect(throws: MailStoreError.self) {
                try await writer.write { db, effects in
                    try db.execute(sql: "INSERT INTO probe VALUES (4)")
                    effects.syncDirectories = ["broken"]
                }
            }
            #expect(
                try await pool.read { db in try Int.fetchAll(db, sql: "SELECT x FROM probe ORDER BY x") } == [1, 2, 3])
        }
    }

    @Test func randomNamesAreThirtyTwoHexDigits() {
        #expect(RandomName.hex(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210) == "0123456789abcdeffedcba9876543210")
        #expect(RandomName.hex(0, .max) == "0000000000000000ffffffffffffffff")
        let names = (0..<100).map { _ in RandomName.make() }
        #expect(Set(names).count == 100)
        #expect(names.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { "0123456789abcdef".utf8.contains($0) } })
    }
}

/// Directory syncs seen by a test's writer, with how many rows a reader saw at that moment.
final class SyncLog: @unchecked Sendable {
    struct Sync {
        var directory: String
        var rowsVisible: Int
    }
    private let lock = NSLock()
    private var syncs: [Sync] = []

    func record(_ directory: String, rowsVisible: Int) {
        lock.withLock { syncs.append(Sync(directory: directory, rowsVisible: rowsVisible)) }
    }

    func clear() {
        lock.withLock { syncs = [] }
    }

    var all: [Sync] { lock.withLock { syncs } }
}
