import Foundation
import IMAPWire
import MailStore

/// Reads a Maildir tree for import: the root's cur/ and new/ are INBOX; folders are Maildir++
/// directories (`.Sub.Folder`, "." separating levels) and Dovecot's `LAYOUT=fs` subdirectories
/// (`Sub/Folder`), names in modified UTF-7 (`&AOQ-`) decoded to Unicode. Each folder's
/// `dovecot-keywords` gives its keyword letters; the root's `subscriptions` (Dovecot) or
/// `courierimapsubscribed` (Courier) its subscriptions. Messages are the visible files of cur/ and
/// new/ (tmp/ holds deliveries in progress); internal date = the file's modification time, as Dovecot
/// takes it.
public struct MaildirReader {
    public struct Result: Sendable {
        public var folders: [SourceFolder]
        /// Subscribed folder names, relative to the target like `SourceFolder.name`.
        public var subscriptions: [String]
        /// Folders or files left out, each one line saying which and why.
        public var problems: [String]
    }

    public static let maxDepth = MailboxPath.maxLevels

    /// Throws `TransferError` when the root is missing, not a directory, unreadable, or holds no
    /// Maildir at all.
    public static func read(root: URL) throws -> Result {
        try FileSystem.requireDirectory(root)
        var result = Result(folders: [], subscriptions: [], problems: [])
        let names = try FileSystem.allNames(in: root)
        let rootIsMaildir = names.contains("cur") || names.contains("new")
        if rootIsMaildir {
            result.folders.append(try folder(root, name: "", problems: &result.problems))
        }
        for entry in names where entry.hasPrefix(".") && entry != "." && entry != ".." {
            let url = root.appendingPathComponent(entry)
            guard FileSystem.isDirectory(url), isMaildir(url) else { continue }
            let levels = entry.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard let name = decode(levels, at: url, problems: &result.problems) else { continue }
            do {
                result.folders.append(try folder(url, name: name, problems: &result.problems))
            } catch let error as TransferError {
                result.problems.append(error.description)
            }
        }
        fsLayout(root, levels: [], into: &result)
        guard rootIsMaildir || !result.folders.isEmpty else { throw TransferError.notMaildir(root.path) }
        result.subscriptions = Subscriptions.read(in: root)
        return result
    }

    /// Dovecot's `LAYOUT=fs`: each visible subdirectory is a folder level (cur, new and tmp are not).
    private static func fsLayout(_ directory: URL, levels: [String], into result: inout Result) {
        guard levels.count < maxDepth, let names = try? FileSystem.names(in: directory) else { return }
        for entry in names where !["cur", "new", "tmp"].contains(entry) {
            let url = directory.appendingPathComponent(entry)
            guard FileSystem.isDirectory(url) else { continue }
            let path = levels + [entry]
            if isMaildir(url), let name = decode(path, at: url, problems: &result.problems) {
                do {
                    result.folders.append(try folder(url, name: name, problems: &result.problems))
                } catch let error as TransferError {
                    result.problems.append(error.description)
                } catch {
                    result.problems.append("\(url.path): \(error)")
                }
            }
            fsLayout(url, levels: path, into: &result)
        }
    }

    static func isMaildir(_ url: URL) -> Bool {
        FileSystem.isDirectory(url.appendingPathComponent("cur"))
            || FileSystem.isDirectory(url.appendingPathComponent("new"))
    }

    /// The Postern name of a folder's levels, or nil (with a problem noted) when it cannot be one.
    static func decode(_ levels: [String], at url: URL, problems: inout [String]) -> String? {
        var decoded: [String] = []
        for level in levels {
            guard let name = try? ModifiedUTF7.decode(Array(level.utf8), encodedASCII: true) else {
                problems.append(TransferError.badName(url.path, "not modified UTF-7").description)
                return nil
            }
            decoded.append(name)
        }
        return validName(decoded, at: url, problems: &problems)
    }

    /// The levels joined as a Postern name ("" for none), or nil (with a problem noted) when invalid.
    static func validName(_ levels: [String], at url: URL, problems: inout [String]) -> String? {
        let name = levels.joined(separator: String(MailboxPath.separator))
        if name.isEmpty { return name }
        do {
            try MailboxPath.validate(MailboxPath.normalize(name))
        } catch MailStoreError.invalidMailboxName(let why) {
            problems.append(TransferError.badName(url.path, why).description)
            return nil
        } catch {
            problems.append(TransferError.badName(url.path, "\(error)").description)
            return nil
        }
        return name
    }

    /// The messages of one Maildir folder (cur/ then new/).
    static func folder(_ url: URL, name: String, problems: inout [String]) throws -> SourceFolder {
        let keywords = DovecotKeywords.read(in: url)
        var messages: [SourceMessage] = []
        for sub in ["cur", "new"] {
            let directory = url.appendingPathComponent(sub)
            guard FileSystem.isDirectory(directory) else { continue }
            for file in try FileSystem.names(in: directory) {
                let path = directory.appendingPathComponent(file)
                guard let entry = FileSystem.entry(path.path), entry.isRegular else { continue }
                let (unique, info) = MaildirFlags.split(file)
                messages.append(
                    SourceMessage(
                        origin: .file(path), identity: unique, size: entry.size,
                        flags: MaildirFlags.parse(info ?? "", keywords: keywords),
                        internalDate: Date(timeIntervalSince1970: Double(entry.modified))))
            }
        }
        return SourceFolder(name: name, messages: messages)
    }
}
