import Foundation
import GRDB
import MailStore

/// Checks a backup folder: its manifest, every listed file's size and SHA-256, the database's integrity,
/// and that every content file the database references is listed.
public enum BackupVerify {
    public struct Result: Sendable {
        /// One line per problem; empty when the backup is good.
        public var problems: [String] = []
        public var files = 0
        public var bytes = 0
    }

    /// At most this many problems are listed (a backup with more is bad anyway).
    public static let maxProblemsListed = 100

    /// Throws for a folder that is not a backup; returns the problems of one that is.
    public static func run(backup: URL, progress: (String) -> Void) throws -> Result {
        guard FileOperations.isDirectory(backup.path) else {
            throw MaintenanceError.input(
                FileOperations.exists(backup.path)
                    ? "\(backup.path) is not a folder" : "no backup at \(backup.path)")
        }
        let manifest = try BackupManifest.read(folder: backup)
        var result = Result()
        func problem(_ text: String) {
            if result.problems.count < maxProblemsListed { result.problems.append(text) }
        }
        guard manifest.entries.contains(where: { $0.path == StoreBackup.databaseName }) else {
            throw MaintenanceError.input("\(backup.path) is not a Postern backup (its manifest lists no database)")
        }
        for (index, entry) in manifest.entries.enumerated() {
            let path = backup.appendingPathComponent(entry.path).path
            guard FileOperations.regularFileSize(path) != nil else {
                problem("\(entry.path): missing")
                continue
            }
            let digest = try FileOperations.digest(path: path)
            if digest.size != entry.size {
                problem("\(entry.path): \(digest.size) bytes, the manifest says \(entry.size)")
            } else if digest.sha256 != entry.sha256 {
                problem("\(entry.path): SHA-256 differs from the manifest")
            }
            result.files += 1
            result.bytes += digest.size
            if (index + 1) % 1000 == 0 { progress("checked \(index + 1) of \(manifest.entries.count) files") }
        }
        let listed = manifest.byPath
        let database = backup.appendingPathComponent(StoreBackup.databaseName).path
        if FileOperations.regularFileSize(database) != nil {
            do {
                for line in try integrityProblems(databasePath: database) { problem("database: \(line)") }
                for (id, size) in try StoreBackup.referencedContent(databasePath: database) {
                    let path = "blobs/\(id.prefix(2))/\(id)"
                    if let entry = listed[path] {
                        if entry.size != size {
                            problem("\(path): the database says \(size) bytes, the manifest \(entry.size)")
                        }
                    } else {
                        problem("\(path): referenced by the database, not in the backup")
                    }
                }
            } catch {
                problem("database: cannot be read: \(error)")
            }
        }
        return result
    }

    /// `PRAGMA integrity_check` and `foreign_key_check` of a database file, opened read-only.
    static func integrityProblems(databasePath: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try integrityProblems(db) }
    }

    /// What `integrity_check` and `foreign_key_check` report on `db` (empty: sound).
    static func integrityProblems(_ db: Database) throws -> [String] {
        var lines = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
        let foreign = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        for row in foreign.prefix(maxProblemsListed) {
            let table: String = row[0]
            let parent: String = row[2]
            lines.append("a row of \(table) refers to a missing row of \(parent)")
        }
        return lines
    }
}
