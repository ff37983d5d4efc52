import Foundation
import GRDB
import MailStore

/// An online backup of a data folder: `<dest>/postern.sqlite`, `<dest>/blobs/<shard>/<id>` (the
/// content files the database references) and the folder's small state files (`.first-start-done`,
/// `tls/`), then the manifest, written last.
///
/// Why it is consistent while the server writes. The database copy is one snapshot (SQLite's online
/// backup in a single step, inside one read transaction). Every content file that snapshot references
/// was placed (written, fsynced, renamed into `blobs/`) before the commit that references it, and is
/// never changed afterwards; it is unlinked only after a later commit removed the last reference to it
/// (later still while an expunged message is retained for a session). So once the snapshot is taken,
/// each file it references either still exists — and a hard link or copy made now has exactly its
/// content — or was unlinked after a commit that came after the snapshot. In the second case the
/// backup takes a new snapshot, which no longer references that file, and links the files it
/// references that are not yet in the backup; each round links only the few files placed since the
/// previous one, so it ends quickly unless files are freed as fast as they are linked (then it gives
/// up after `maxSnapshotRounds`). The backup's database is renamed into place only after every file
/// it references is in the backup and the shard folders are fsynced, and the manifest (with the
/// SHA-256 of every file) comes after that: a backup that stopped half-way has no valid manifest for
/// its new state and `verify` and `restore` refuse it. The data folder's lock is held shared the whole
/// time, so no process opening the store meanwhile runs crash recovery (which removes unreferenced
/// content files).
///
/// Incremental: content files already in the backup (content files are immutable and their names
/// never reused) are kept and their hashes taken from the previous manifest; files the new snapshot
/// no longer references are removed after the new database is in place.
public enum StoreBackup {
    /// Snapshots taken before giving up on files being freed faster than they are linked.
    public static let maxSnapshotRounds = 8
    static let databaseName = "postern.sqlite"
    static let partialDatabaseName = "postern.sqlite.partial"

    public struct Summary: Sendable, Equatable {
        /// Content files in the backup.
        public var files = 0
        /// Of those, hard-linked or copied by this run.
        public var linked = 0
        public var copied = 0
        /// Already in the backup (an earlier run) and kept.
        public var kept = 0
        /// In the backup before, no longer referenced, removed.
        public var removed = 0
        /// Bytes of content files in the backup, and of the database.
        public var contentBytes = 0
        public var databaseBytes = 0
        /// Database snapshots taken (1 unless files were freed during the run).
        public var snapshots = 0
    }

    /// Backs `dataDirectory` up into `destination` (made when missing; its parent must exist).
    /// `copy`: never hard-link. `progress` gets short lines about what is done.
    public static func run(
        dataDirectory: URL, destination: URL, copy: Bool, progress: (String) -> Void
    ) throws -> Summary {
        let source = try DataFolder(dataDirectory)
        try prepareDestination(destination, source: dataDirectory)
        let lock = try MaintenanceLock(dataDirectory: dataDirectory, preferExclusive: false)
        defer { withExtendedLifetime(lock) {} }
        let previous = (try? BackupManifest.read(folder: destination))?.byPath ?? [:]
        let blobsPath = destination.appendingPathComponent("blobs").path
        try FileOperations.makeDirectory(blobsPath)

        var summary = Summary()
        var present = try BlobListing.ids(in: blobsPath)
        let earlier = present
        var touchedShards: Set<String> = []
        var referenced: [String: Int] = [:]
        let partial = destination.appendingPathComponent(partialDatabaseName).path
        while true {
            guard summary.snapshots < maxSnapshotRounds else {
                throw MaintenanceError.io(
                    "content files were freed faster than they could be copied (\(maxSnapshotRounds) snapshots)")
            }
            summary.snapshots += 1
            try snapshotDatabase(source.databasePath, to: partial)
            referenced = try referencedContent(databasePath: partial)
            progress(
                "database snapshot \(summary.snapshots): \(referenced.count) content files referenced")
            var freed = 0
            var done = 0
            for (id, _) in referenced where !present.contains(id) {
                let shard = String(id.prefix(2))
                try FileOperations.makeDirectory("\(blobsPath)/\(shard)")
                switch try FileOperations.placeFile(
                    from: source.blobs.path(of: id), to: "\(blobsPath)/\(shard)/\(id)", allowLink: !copy)
                {
                case .linked: summary.linked += 1
                case .copied: summary.copied += 1
                case .sourceMissing:
                    freed += 1
                    continue
                }
                present.insert(id)
                touchedShards.insert(shard)
                done += 1
                if done % 1000 == 0 { progress("content files: \(done) new") }
            }
            if freed == 0 { break }
            progress("\(freed) content files were freed after the snapshot: taking a new one")
        }
        for shard in touchedShards.sorted() { try FileOperations.syncDirectory("\(blobsPath)/\(shard)") }
        try FileOperations.syncDirectory(blobsPath)
        let extras = try copyStateFiles(from: dataDirectory, to: destination)

        // The new state replaces the old: no manifest while the database and file set change.
        unlink(destination.appendingPathComponent(BackupManifest.fileName).path)
        try FileOperations.syncDirectory(destination.path)
        guard rename(partial, destination.appendingPathComponent(databaseName).path) == 0 else {
            throw MaintenanceError.io("cannot rename the database copy: \(FileOperations.errnoText())")
        }
        try FileOperations.syncDirectory(destination.path)
        summary.removed = try removeUnreferenced(in: blobsPath, present: present, keep: Set(referenced.keys))

        var entries: [BackupManifest.Entry] = []
        let database = try FileOperations.digest(path: destination.appendingPathComponent(databaseName).path)
        summary.databaseBytes = database.size
        entries.append(.init(path: databaseName, size: database.size, sha256: database.sha256))
        entries += extras
        var hashed = 0
        for id in referenced.keys.sorted() {
            let path = "blobs/\(id.prefix(2))/\(id)"
            let full = "\(destination.path)/\(path)"
            if let old = previous[path], FileOperations.regularFileSize(full) == old.size {
                entries.append(old)
            } else {
                let digest = try FileOperations.digest(path: full)
                entries.append(.init(path: path, size: digest.size, sha256: digest.sha256))
                hashed += 1
                if hashed % 1000 == 0 { progress("hashed \(hashed) files") }
            }
            summary.contentBytes += entries[entries.count - 1].size
        }
        summary.files = referenced.count
        summary.kept = referenced.keys.filter { earlier.contains($0) }.count
        try BackupManifest(entries: entries).write(folder: destination)
        progress("manifest written: \(entries.count) files")
        return summary
    }

    /// Refuses a destination that is a file, whose parent is missing, or that is a non-empty folder
    /// other than a Postern backup; makes it when missing.
    static func prepareDestination(_ destination: URL, source: URL) throws {
        let path = destination.path
        if FileOperations.exists(path) {
            guard FileOperations.isDirectory(path) else { throw MaintenanceError.input("\(path) is not a folder") }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let isBackup =
                names.contains(BackupManifest.fileName) || names.contains(databaseName)
                || names.contains(partialDatabaseName)
            guard names.isEmpty || isBackup else {
                throw MaintenanceError.input("\(path) is not empty and holds no Postern backup")
            }
            if FileManager.default.fileExists(atPath: source.appendingPathComponent(databaseName).path),
                destination.standardizedFileURL.resolvingSymlinksInPath()
                    == source.standardizedFileURL.resolvingSymlinksInPath()
            {
                throw MaintenanceError.input("the backup cannot go into the data folder itself")
            }
            return
        }
        let parent = destination.deletingLastPathComponent().path
        guard FileOperations.isDirectory(parent) else {
            throw MaintenanceError.input("the folder \(parent) (where the backup would go) does not exist")
        }
        try FileOperations.makeDirectory(path)
        try FileOperations.syncDirectory(parent)
    }

    /// Copies the database at `source` into a new file at `destination` with SQLite's online backup,
    /// in one step: one read transaction, so one committed state.
    static func snapshotDatabase(_ source: String, to destination: String) throws {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(destination + suffix) }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            let reader = try DatabaseQueue(path: source, configuration: configuration)
            let copy = try DatabaseQueue(path: destination)
            try reader.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // A self-contained file: no write-ahead log beside it.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try copy.close()
            try reader.close()
        } catch {
            throw MaintenanceError.io("cannot copy the database: \(error)")
        }
    }

    /// The content files a database references, with their sizes.
    static func referencedContent(databasePath: String) throws -> [String: Int] {
        do {
            let queue = try DatabaseQueue(path: databasePath)
            defer { try? queue.close() }
            return try queue.read { db in
                var result: [String: Int] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT blob, size FROM messages")
                while let row = try rows.next() { result[row[0]] = row[1] }
                return result
            }
        } catch {
            throw MaintenanceError.io("cannot read the database copy: \(error)")
        }
    }

    /// Removes content files of an earlier backup that the new database does not reference.
    private static func removeUnreferenced(
        in blobsPath: String, present: Set<String>, keep: Set<String>
    ) throws
        -> Int
    {
        var removed = 0
        var shards: Set<String> = []
        for id in present where !keep.contains(id) {
            if unlink("\(blobsPath)/\(id.prefix(2))/\(id)") == 0 {
                removed += 1
                shards.insert(String(id.prefix(2)))
            }
        }
        for shard in shards.sorted() { try FileOperations.syncDirectory("\(blobsPath)/\(shard)") }
        return removed
    }

    /// Copies `.first-start-done` and the files in `tls/` (the self-signed certificate made for the
    /// folder): a server restored from the backup then starts as the old one did.
    static func copyStateFiles(from data: URL, to destination: URL) throws -> [BackupManifest.Entry] {
        var entries: [BackupManifest.Entry] = []
        let names = [".first-start-done"] + DataFolder.stateFiles(in: data, folder: "tls").map { "tls/\($0)" }
        var copiedTLS = false
        for name in names {
            let from = data.appendingPathComponent(name).path
            guard FileOperations.regularFileSize(from) != nil else { continue }
            if name.hasPrefix("tls/") && !copiedTLS {
                try FileOperations.makeDirectory(destination.appendingPathComponent("tls").path)
                copiedTLS = true
            }
            let to = destination.appendingPathComponent(name).path
            unlink(to)
            try FileOperations.copyFile(from: from, to: to)
            let digest = try FileOperations.digest(path: to)
            entries.append(.init(path: name, size: digest.size, sha256: digest.sha256))
        }
        if copiedTLS { try FileOperations.syncDirectory(destination.appendingPathComponent("tls").path) }
        try FileOperations.syncDirectory(destination.path)
        return entries
    }
}
