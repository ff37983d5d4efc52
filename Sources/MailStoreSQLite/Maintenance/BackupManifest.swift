import Foundation
import MailStore

/// The list of a backup's files, written last: a backup folder without one is incomplete.
///
/// Format (`postern-backup.manifest`, UTF-8, LF line ends):
///
///     manifest = header *entry trailer
///     header   = "postern-backup 1" LF
///     entry    = "file" SP sha256 SP size SP path LF
///     sha256   = 64 lower-case-hex
///     size     = 1*20 DIGIT                      ; bytes
///     path     = relative path: 1*segment separated by "/", no "." or ".." segment, no SP
///     trailer  = "end" SP count LF               ; count = number of entries (a cut file has none)
public struct BackupManifest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var size: Int
        public var sha256: String
    }

    public var entries: [Entry]

    public static let fileName = "postern-backup.manifest"
    static let header = "postern-backup 1"
    /// The longest line accepted (a path of a content file is about 40 characters).
    static let maxLineLength = 4096
    /// The most entries accepted (a file is read whole into memory).
    static let maxEntries = 50_000_000

    /// `path` → entry.
    var byPath: [String: Entry] {
        Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func encoded() -> [UInt8] {
        var text = Self.header + "\n"
        for entry in entries { text += "file \(entry.sha256) \(entry.size) \(entry.path)\n" }
        text += "end \(entries.count)\n"
        return Array(text.utf8)
    }

    /// Parses a manifest (see the grammar above); a clear one-line error for anything else.
    static func parse(_ bytes: [UInt8]) throws -> BackupManifest {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw MaintenanceError.input("manifest is not UTF-8")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { throw MaintenanceError.input("manifest is cut short (no final line end)") }
        lines.removeLast()
        guard lines.first == Substring(header) else {
            throw MaintenanceError.input("manifest does not start with '\(header)'")
        }
        var entries: [Entry] = []
        for (index, line) in lines.enumerated().dropFirst() {
            let number = index + 1
            guard line.utf8.count <= maxLineLength else {
                throw MaintenanceError.input("manifest line \(number) is longer than \(maxLineLength) bytes")
            }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            if fields.first == "end" {
                guard index == lines.count - 1 else {
                    throw MaintenanceError.input("manifest line \(number): 'end' before the last line")
                }
                guard fields.count == 2, let count = Int(fields[1]), count == entries.count else {
                    throw MaintenanceError.input("manifest line \(number): the count does not match the entries")
                }
                return BackupManifest(entries: entries)
            }
            guard entries.count < maxEntries else {
                throw MaintenanceError.input("manifest has more than \(maxEntries) entries")
            }
            entries.append(try parseEntry(fields, line: number))
        }
        throw MaintenanceError.input("manifest is cut short (no 'end' line)")
    }

    private static func parseEntry(_ fields: [Substring], line: Int) throws -> Entry {
        guard fields.count == 4, fields[0] == "file" else {
            throw MaintenanceError.input("manifest line \(line): expected 'file SHA256 SIZE PATH'")
        }
        let hash = String(fields[1])
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ isLowerHex($0) }) else {
            throw MaintenanceError.input("manifest line \(line): bad SHA-256")
        }
        guard fields[2].utf8.count <= 20, fields[2].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let size = Int(fields[2])
        else {
            throw MaintenanceError.input("manifest line \(line): bad size")
        }
        let path = String(fields[3])
        guard isSafeRelativePath(path) else {
            throw MaintenanceError.input("manifest line \(line): bad path")
        }
        return Entry(path: path, size: size, sha256: hash)
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    /// A path that stays inside the folder it is relative to.
    static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }

    /// Reads `<folder>/postern-backup.manifest`.
    static func read(folder: URL) throws -> BackupManifest {
        let path = folder.appendingPathComponent(fileName).path
        guard let size = FileOperations.regularFileSize(path) else {
            throw MaintenanceError.input("\(folder.path) is not a Postern backup (no \(fileName))")
        }
        guard size <= maxEntries * 100 else { throw MaintenanceError.input("manifest is too large") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MaintenanceError.io("cannot read \(path)")
        }
        return try parse(Array(data))
    }

    /// Writes `<folder>/postern-backup.manifest` atomically and durably.
    func write(folder: URL) throws {
        do {
            try DurableFiles.writeAtomically(
                encoded(), to: folder.appendingPathComponent(Self.fileName), mode: 0o600)
        } catch {
            throw MaintenanceError.io("cannot write the manifest: \(error)")
        }
    }
}
