import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a migration remembers between runs, per source (server and login) and Postern account: for
/// each source folder, its UIDVALIDITY, the HIGHESTMODSEQ its flags were last read at, and which
/// destination message each copied source UID became.
///
/// Kept as an append-only file of JSON lines in `<data>/migrations/<account>/`, one record per
/// appended batch (fsynced after the batch's store transaction commits), replayed in order on start.
/// A torn last line (a crash while writing) is ignored.
struct MigrationLog {
    struct Record: Codable {
        var folder: String
        var uidValidity: UInt32
        var destination: String
        var destinationValidity: UInt32
        /// Pairs of source UID and destination UID.
        var copies: [[UInt32]]?
        var highestModSeq: UInt64?
    }

    /// The state of one source folder incarnation (one UIDVALIDITY), copied into `destination`.
    struct Folder: Equatable {
        var uidValidity: UInt32
        var destination: String
        var destinationValidity: UInt32
        var copies: [UInt32: UInt32] = [:]
        var highestModSeq: UInt64?

        var lastUID: UInt32 { copies.keys.max() ?? 0 }
    }

    let url: URL
    private(set) var folders: [String: Folder] = [:]
    /// The file ends in a torn line: the next record starts on a new line.
    private var torn = false

    /// Opens (creating when missing) the log of `source` for `account` under `dataDirectory`.
    init(dataDirectory: URL, account: String, source: String) throws {
        let directory = dataDirectory.appendingPathComponent("migrations").appendingPathComponent(account)
        try DurableFiles.makeDirectory(dataDirectory.appendingPathComponent("migrations"))
        try DurableFiles.makeDirectory(directory)
        url = directory.appendingPathComponent(Self.fileName(source))
        if let data = try? Data(contentsOf: url) {
            torn = !data.isEmpty && data.last != UInt8(ascii: "\n")
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let record = try? JSONDecoder().decode(Record.self, from: Data(line)) else { continue }
                apply(record)
            }
        }
    }

    /// A file name for a source URL: its letters, digits and `.@-` kept, everything else "_".
    static func fileName(_ source: String) -> String {
        let kept = source.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return scalar.isASCII && (c.isLetter || c.isNumber || ".@-".contains(c)) ? c : "_"
        }
        return String(String(kept).prefix(200)) + ".jsonl"
    }

    private mutating func apply(_ record: Record) {
        var folder = folders[record.folder]
        if folder?.uidValidity != record.uidValidity || folder?.destinationValidity != record.destinationValidity
            || folder?.destination != record.destination
        {
            folder = Folder(
                uidValidity: record.uidValidity, destination: record.destination,
                destinationValidity: record.destinationValidity)
        }
        for pair in record.copies ?? [] where pair.count == 2 { folder?.copies[pair[0]] = pair[1] }
        if let modSeq = record.highestModSeq { folder?.highestModSeq = modSeq }
        folders[record.folder] = folder
    }

    /// Applies and durably appends a record.
    mutating func append(_ record: Record) throws {
        var line = (torn ? Data([UInt8(ascii: "\n")]) : Data()) + (try JSONEncoder().encode(record))
        line.append(UInt8(ascii: "\n"))
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MailStoreError.internal("cannot open \(url.path): errno \(errno)") }
        defer { close(fd) }
        try DurableFiles.writeAll(line, to: fd, path: url.path)
        guard fsync(fd) == 0 else { throw MailStoreError.internal("cannot sync \(url.path): errno \(errno)") }
        torn = false
        apply(record)
    }
}
