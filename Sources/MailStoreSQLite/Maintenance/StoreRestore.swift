import Foundation
import MailStore

/// Makes a data folder from a backup: verifies the backup, then copies its files (each fsynced, every
/// folder fsynced) into an empty folder. The database is copied last, so a restore that stopped
/// half-way leaves no database beside the content files.
public enum StoreRestore {
    public struct Summary: Sendable {
        public var files = 0
        public var bytes = 0
    }

    public static func run(backup: URL, dataDirectory: URL, progress: (String) -> Void) throws -> Summary {
        try requireEmpty(dataDirectory)
        let verified = try BackupVerify.run(backup: backup, progress: progress)
        guard verified.problems.isEmpty else {
            throw MaintenanceError.input(
                "the backup at \(backup.path) does not verify (\(verified.problems.count) problems, first: "
                    + "\(verified.problems[0])); run 'postern backup verify' for the list")
        }
        progress("backup verified: \(verified.files) files")
        let manifest = try BackupManifest.read(folder: backup)
        let target = dataDirectory.path
        try FileOperations.makeDirectory(target)
        try FileOperations.makeDirectory("\(target)/tmp")
        try FileOperations.makeDirectory("\(target)/blobs")
        var summary = Summary()
        var directories: Set<String> = [target, "\(target)/blobs"]
        let ordered =
            manifest.entries.filter { $0.path != StoreBackup.databaseName }
            + manifest.entries.filter { $0.path == StoreBackup.databaseName }
        for entry in ordered {
            let parts = entry.path.split(separator: "/").map(String.init)
            var folder = target
            for part in parts.dropLast() {
                folder += "/\(part)"
                if !directories.contains(folder) {
                    try FileOperations.makeDirectory(folder)
                    directories.insert(folder)
                }
            }
            if entry.path == StoreBackup.databaseName {
                for directory in directories.sorted(by: { $0.count > $1.count }) {
                    try FileOperations.syncDirectory(directory)
                }
            }
            try FileOperations.copyFile(
                from: backup.appendingPathComponent(entry.path).path, to: "\(target)/\(entry.path)")
            summary.files += 1
            summary.bytes += entry.size
            if summary.files % 1000 == 0 { progress("restored \(summary.files) of \(ordered.count) files") }
        }
        try FileOperations.syncDirectory(target)
        try FileOperations.syncDirectory(dataDirectory.deletingLastPathComponent().path)
        return summary
    }

    /// Refuses a path that is a file or a non-empty folder; its parent must exist.
    static func requireEmpty(_ dataDirectory: URL) throws {
        let path = dataDirectory.path
        if FileOperations.exists(path) {
            guard FileOperations.isDirectory(path) else { throw MaintenanceError.input("\(path) is not a folder") }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            guard names.isEmpty else {
                throw MaintenanceError.input("\(path) is not empty: restore only into a new or empty folder")
            }
            return
        }
        let parent = dataDirectory.deletingLastPathComponent().path
        guard FileOperations.isDirectory(parent) else {
            throw MaintenanceError.input("the folder \(parent) (where the data folder would go) does not exist")
        }
    }
}
