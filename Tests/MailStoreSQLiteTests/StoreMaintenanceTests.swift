import Foundation
import GRDB
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// Backup, verify, restore and check on data folders made by the store itself.
@Suite struct StoreMaintenanceTests {
    func filledFolder(_ directory: URL, count: Int) async throws -> URL {
        let data = directory.appendingPathComponent("data")
        let store = try SQLiteMailStore(dataDirectory: data)
        let account = try await MailStoreConformance.makeAccount(store)
        let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
        _ = try await MailStoreConformance.fill(store, account, inbox, count: count)
        store.close()
        return data
    }

    @Test func backupVerifyRestoreCheck() async throws {
        try await withTemporaryDirectory { directory in
            let data = try await filledFolder(directory, count: 12)
            let backup = directory.appendingPathComponent("backup")
            var lines: [String] = []
            let summary = try StoreBackup.run(
                dataDirectory: data, destination: backup, copy: true, progress: { lines.append($0) })
            #expect(summary.files == 12 && summary.copied == 12 && summary.linked == 0 && summary.snapshots == 1)
            #expect(lines.last?.hasPrefix("manifest written") == true)
            let verified = try BackupVerify.run(backup: backup, progress: { _ in })
            #expect(verified.problems.isEmpty)
            #expect(verified.files == 13)
            let restored = directory.appendingPathComponent("restored")
            _ = try StoreRestore.run(backup: backup, dataDirectory: restored, progress: { _ in })
            let lock = try MaintenanceLock(dataDirectory: restored, preferExclusive: true)
            let report = try StoreCheck.run(dataDirectory: restored, lock: lock)
            #expect(report.findings.isEmpty && report.messages == 12 && report.serverStopped)
            #expect(throws: MaintenanceError.self) {
                try StoreRestore.run(backup: backup, dataDirectory: restored, progress: { _ in })
            }
        }
    }

    /// A file freed (its row deleted, then the file unlinked, as a commit and its unlink do) after the
    /// snapshot was taken: the backup takes a second snapshot, which no longer references it.
    @Test func fileFreedAfterTheSnapshotTakesANewOne() async throws {
        try await withTemporaryDirectory { directory in
            let data = try await filledFolder(directory, count: 4)
            let blobs = BlobFiles(root: data.appendingPathComponent("blobs"))
            let victim = try #require(blobs.allIDs().sorted().first)
            let database = data.appendingPathComponent("postern.sqlite").path
            var freed = false
            let summary = try StoreBackup.run(
                dataDirectory: data, destination: directory.appendingPathComponent("backup"), copy: false,
                progress: { line in
                    guard !freed, line.hasPrefix("database snapshot 1") else { return }
                    freed = true
                    let queue = try? DatabaseQueue(path: database)
                    _ = try? queue?.write { db in
                        try db.execute(sql: "DELETE FROM messages WHERE blob = ?", arguments: [victim])
                    }
                    try? queue?.close()
                    unlink(blobs.path(of: victim))
                })
            #expect(freed)
            #expect(summary.snapshots == 2 && summary.files == 3 && summary.removed == 0)
            let verified = try BackupVerify.run(backup: directory.appendingPathComponent("backup"), progress: { _ in })
            #expect(verified.problems.isEmpty)
        }
    }

    /// Files freed after every snapshot: the backup gives up after `maxSnapshotRounds` snapshots, and
    /// leaves no manifest (the folder is no valid backup).
    @Test func givesUpWhenFilesAreFreedAfterEverySnapshot() async throws {
        try await withTemporaryDirectory { directory in
            let rounds = StoreBackup.maxSnapshotRounds
            let data = try await filledFolder(directory, count: rounds + 2)
            let blobs = BlobFiles(root: data.appendingPathComponent("blobs"))
            let database = data.appendingPathComponent("postern.sqlite").path
            let backup = directory.appendingPathComponent("backup")
            var snapshots = 0
            #expect(throws: MaintenanceError.self) {
                try StoreBackup.run(
                    dataDirectory: data, destination: backup, copy: false,
                    progress: { line in
                        guard line.hasPrefix("database snapshot") else { return }
                        snapshots += 1
                        // Free a file the backup has not linked yet, and place a new one (with its row) for
                        // the next snapshot to reference.
                        let linked = Set((try? BlobListing.ids(in: backup.appendingPathComponent("blobs").path)) ?? [])
                        guard let victim = blobs.allIDs().sorted().first(where: { !linked.contains($0) }) else {
                            return
                        }
                        let fresh = BlobFiles.newID()
                        try? FileManager.default.createDirectory(
                            atPath: blobs.root.appendingPathComponent(String(fresh.prefix(2))).path,
                            withIntermediateDirectories: true)
                        _ = FileManager.default.createFile(atPath: blobs.path(of: fresh), contents: Data("x".utf8))
                        let queue = try? DatabaseQueue(path: database)
                        _ = try? queue?.write { db in
                            try db.execute(
                                sql: """
                                    INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, save_date, size, blob)
                                    SELECT mailbox_id, uid + 1000, modseq, flags, internal_date, save_date, 1, ?
                                    FROM messages WHERE blob = ?
                                    """, arguments: [fresh, victim])
                            try db.execute(sql: "DELETE FROM messages WHERE blob = ?", arguments: [victim])
                        }
                        try? queue?.close()
                        unlink(blobs.path(of: victim))
                    })
            }
            #expect(snapshots == rounds)
            #expect(
                !FileManager.default.fileExists(atPath: backup.appendingPathComponent(BackupManifest.fileName).path))
        }
    }

    /// A backup with more problems than `maxProblemsListed` lists that many.
    @Test func verifyListsAtMostTheLimit() async throws {
        try await withTemporaryDirectory { directory in
            let count = BackupVerify.maxProblemsListed + 5
            let data = try await filledFolder(directory, count: count)
            let backup = directory.appendingPathComponent("backup")
            _ = try StoreBackup.run(dataDirectory: data, destination: backup, copy: true, progress: { _ in })
            for id in try BlobListing.ids(in: backup.appendingPathComponent("blobs").path) {
                unlink(backup.appendingPathComponent("blobs/\(id.prefix(2))/\(id)").path)
            }
            let result = try BackupVerify.run(backup: backup, progress: { _ in })
            #expect(result.problems.count == BackupVerify.maxProblemsListed)
        }
    }

    @Test func runningStoreKeepsUnreferencedFilesOutOfTheReport() async throws {
        try await withTemporaryDirectory { directory in
            let data = try await filledFolder(directory, count: 2)
            let store = try SQLiteMailStore(dataDirectory: data)
            defer { store.close() }
            let shard = data.appendingPathComponent("blobs/cd")
            try FileManager.default.createDirectory(at: shard, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: shard.appendingPathComponent("cd" + String(repeating: "1", count: 30)))
            let lock = try MaintenanceLock(dataDirectory: data, preferExclusive: true)
            #expect(!lock.isExclusive)
            let report = try StoreCheck.run(dataDirectory: data, lock: lock)
            #expect(report.findings.isEmpty)
            #expect(report.notes.count == 1)
        }
    }

    @Test func missingFileRepairedThroughTheStore() async throws {
        try await withTemporaryDirectory { directory in
            let data = try await filledFolder(directory, count: 3)
            let blobs = BlobFiles(root: data.appendingPathComponent("blobs"))
            let victim = try #require(blobs.allIDs().sorted().first)
            unlink(blobs.path(of: victim))
            let lock = try MaintenanceLock(dataDirectory: data, preferExclusive: true)
            let report = try StoreCheck.run(dataDirectory: data, lock: lock)
            #expect(report.findings.map(\.kind) == [.missingContent])
            let actions = try await StoreRepair.run(
                dataDirectory: data, report: report, lock: lock, logger: .init(label: "test"))
            #expect(actions.count == 1 && actions[0].hasPrefix("expunged "))
            let after = try StoreCheck.run(dataDirectory: data, lock: lock)
            #expect(after.findings.isEmpty && after.messages == 2)
        }
    }
}
