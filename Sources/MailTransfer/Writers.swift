import Foundation
import IMAPWire
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What both export formats share: the target directory (made, or refused when it is not empty:
/// an export never overwrites) and the file helpers.
enum ExportTarget {
    static func prepare(_ root: URL) throws {
        if let entry = FileSystem.entry(root.path) {
            guard entry.isDirectory else { throw TransferError.notADirectory(root.path) }
            guard try FileSystem.allNames(in: root).isEmpty else { throw TransferError.notEmpty(root.path) }
        }
        try makeDirectory(root)
    }

    static func makeDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw TransferError.writeFailed(url.path, SourceMessage.reason(error))
        }
    }

    /// Writes a new file (never replacing one) with `mtime`, when given.
    static func create(_ bytes: some Collection<UInt8>, at url: URL, mtime: Date? = nil) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TransferError.writeFailed(url.path, String(cString: strerror(errno))) }
        defer { close(fd) }
        let array = Array(bytes)
        var written = 0
        while written < array.count {
            let n = array.withUnsafeBytes { write(fd, $0.baseAddress! + written, array.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TransferError.writeFailed(url.path, String(cString: strerror(errno))) }
            written += n
        }
        if let mtime { try setMTime(fd, mtime, path: url.path) }
    }

    static func setMTime(_ fd: Int32, _ date: Date, path: String) throws {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        guard futimens(fd, &times) == 0 else {
            throw TransferError.writeFailed(path, String(cString: strerror(errno)))
        }
    }
}

/// Writes a Maildir++ tree: INBOX in the root, every other folder in `.Level.Level` (levels in
/// modified UTF-7, "." inside a level encoded as well so it cannot split it), each with cur/ new/ tmp/,
/// messages in cur/ named `<date>.P<uid>V<uidvalidity>.postern,S=<size>:2,<flags>` with the internal
/// date as modification time, `dovecot-keywords` for the folder's keywords (the first 26 in name
/// order get letters: Maildir has no more), and Dovecot's `subscriptions` in the root.
public struct MaildirWriter {
    public let root: URL

    /// Makes the root; refuses one that exists and is not empty.
    public init(root: URL) throws {
        try ExportTarget.prepare(root)
        self.root = root
    }

    public static func directoryName(of name: String) -> String {
        if name == MailboxPath.inbox { return "" }
        let levels = name.split(separator: MailboxPath.separator).map {
            String(decoding: ModifiedUTF7.encode(String($0)) { $0 != UInt8(ascii: ".") }, as: UTF8.self)
        }
        return "." + levels.joined(separator: ".")
    }

    /// Starts a folder whose messages carry `keywords`; returns the keyword letters.
    public func beginFolder(_ name: String, keywords: Set<String>) throws -> FolderWriter {
        let directory = root.appendingPathComponent(Self.directoryName(of: name))
        for sub in ["cur", "new", "tmp"] { try ExportTarget.makeDirectory(directory.appendingPathComponent(sub)) }
        let ordered = keywords.sorted()
        if !ordered.isEmpty {
            try ExportTarget.create(
                Array(DovecotKeywords.format(ordered).utf8), at: directory.appendingPathComponent("dovecot-keywords"))
        }
        if name != MailboxPath.inbox {
            try ExportTarget.create([], at: directory.appendingPathComponent("maildirfolder"))
        }
        return FolderWriter(directory: directory, letters: DovecotKeywords.letters(ordered))
    }

    public func writeSubscriptions(_ names: [String]) throws {
        try ExportTarget.create(
            Array(Subscriptions.format(names).utf8), at: root.appendingPathComponent(Subscriptions.fileName))
    }

    public struct FolderWriter {
        public let directory: URL
        let letters: [String: Character]

        /// Writes one message; returns the keywords it had that have no letter.
        @discardableResult
        public func write(
            _ bytes: some Collection<UInt8>, uid: UID, uidValidity: UIDValidity, flags: MessageFlags, date: Date
        ) throws -> [String] {
            let (info, unwritten) = MaildirFlags.format(flags, keywords: letters)
            let unique = "\(Int(date.timeIntervalSince1970)).P\(uid)V\(uidValidity).postern,S=\(bytes.count)"
            let temporary = directory.appendingPathComponent("tmp").appendingPathComponent(unique)
            try ExportTarget.create(bytes, at: temporary, mtime: date)
            let final = directory.appendingPathComponent("cur").appendingPathComponent("\(unique):2,\(info)")
            guard rename(temporary.path, final.path) == 0 else {
                throw TransferError.writeFailed(final.path, String(cString: strerror(errno)))
            }
            return unwritten
        }
    }
}

/// Writes one mboxrd file per folder: `INBOX.mbox`, `Sub/Folder.mbox`. Each message: a From_ line
/// with its internal date (UTC), `Status:` (R for \Seen, O always), `X-Status:` (A \Answered,
/// F \Flagged, T \Draft, D \Deleted) and `X-Keywords:` first, then the message with every line that
/// reads ">…>From " after its ">"s quoted with one more ">", a line end added when it has none, and
/// a blank line.
public struct MboxWriter {
    public let root: URL

    public init(root: URL) throws {
        try ExportTarget.prepare(root)
        self.root = root
    }

    public func fileURL(of name: String) -> URL {
        root.appendingPathComponent(name + ".mbox")
    }

    /// Creates the folder's (empty) file and its directories.
    public func beginFolder(_ name: String) throws -> URL {
        let url = fileURL(of: name)
        try ExportTarget.makeDirectory(url.deletingLastPathComponent())
        try ExportTarget.create([], at: url)
        return url
    }

    /// One message in mbox form (appended to the folder's file by the caller).
    public static func entry(_ bytes: [UInt8], flags: MessageFlags, date: Date) -> [UInt8] {
        var out = Array("From MAILER-DAEMON \(asctime(date))\n".utf8)
        out += Array(("Status: " + (flags.system.contains(.seen) ? "RO" : "O") + "\n").utf8)
        let x = [("A", SystemFlags.answered), ("F", .flagged), ("T", .draft), ("D", .deleted)]
            .filter { flags.system.contains($0.1) }.map(\.0).joined()
        if !x.isEmpty { out += Array("X-Status: \(x)\n".utf8) }
        if !flags.keywords.isEmpty {
            out += Array("X-Keywords: \(flags.keywords.sorted().joined(separator: " "))\n".utf8)
        }
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let line = bytes[start..<min(end + 1, bytes.count)]
            if MboxLines.needsQuote(line) { out.append(UInt8(ascii: ">")) }
            out += line
            start = end + 1
        }
        if bytes.last != 0x0A { out.append(0x0A) }
        out.append(0x0A)
        return out
    }

    /// asctime in UTC: "Wed Dec  6 07:34:07 2026".
    static func asctime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.weekday, .year, .month, .day, .hour, .minute, .second], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = c.day ?? 1
        return "\(days[(c.weekday ?? 1) - 1]) \(months[(c.month ?? 1) - 1]) \(day < 10 ? " " : "")\(day) "
            + String(format: "%02d:%02d:%02d %04d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0, c.year ?? 1970)
    }
}
