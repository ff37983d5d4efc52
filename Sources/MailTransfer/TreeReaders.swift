import Foundation
import MailStore

/// A directory of message files (.eml or any name): every visible regular file is one message,
/// files in subdirectories go to folders of the same names. Internal date = the file's modification
/// time; no flags.
public enum EmlReader {
    public static func read(root: URL) throws -> (folders: [SourceFolder], problems: [String]) {
        try FileSystem.requireDirectory(root)
        var folders: [SourceFolder] = []
        var problems: [String] = []
        try walk(root, levels: [], folders: &folders, problems: &problems)
        return (folders, problems)
    }

    private static func walk(
        _ directory: URL, levels: [String], folders: inout [SourceFolder], problems: inout [String]
    ) throws {
        let names: [String]
        do {
            names = try FileSystem.names(in: directory)
        } catch let error as TransferError where !levels.isEmpty {
            problems.append(error.description)
            return
        }
        var messages: [SourceMessage] = []
        var subdirectories: [String] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            guard let entry = FileSystem.entry(url.path) else { continue }
            if entry.isDirectory {
                subdirectories.append(name)
            } else if entry.isRegular {
                messages.append(
                    SourceMessage(
                        origin: .file(url), identity: (levels + [name]).joined(separator: "/"), size: entry.size,
                        flags: MessageFlags(), internalDate: Date(timeIntervalSince1970: Double(entry.modified))))
            }
        }
        if !messages.isEmpty || levels.isEmpty {
            if let name = MaildirReader.validName(levels, at: directory, problems: &problems) {
                folders.append(SourceFolder(name: name, messages: messages))
            }
        }
        guard levels.count < MailboxPath.maxLevels else { return }
        for sub in subdirectories {
            try walk(
                directory.appendingPathComponent(sub), levels: levels + [sub], folders: &folders, problems: &problems)
        }
    }
}

/// mbox files for import: one file (the target folder), or a directory of `NAME.mbox` files as
/// `postern export --to mbox` writes them (`INBOX.mbox`, `Sub/Folder.mbox`: folder `Sub/Folder`).
public enum MboxTreeReader {
    public static func read(_ url: URL) throws -> (folders: [SourceFolder], problems: [String]) {
        guard let entry = FileSystem.entry(url.path) else { throw TransferError.notFound(url.path) }
        if !entry.isDirectory {
            return ([SourceFolder(name: "", messages: try MboxFile.read(url).messages)], [])
        }
        var folders: [SourceFolder] = []
        var problems: [String] = []
        walk(url, levels: [], folders: &folders, problems: &problems)
        return (folders, problems)
    }

    private static func walk(
        _ directory: URL, levels: [String], folders: inout [SourceFolder], problems: inout [String]
    ) {
        let names: [String]
        do {
            names = try FileSystem.names(in: directory)
        } catch {
            problems.append("\(error)")
            return
        }
        for name in names {
            let url = directory.appendingPathComponent(name)
            guard let entry = FileSystem.entry(url.path) else { continue }
            if entry.isDirectory {
                if levels.count < MailboxPath.maxLevels {
                    walk(url, levels: levels + [name], folders: &folders, problems: &problems)
                }
                continue
            }
            guard entry.isRegular, name.hasSuffix(".mbox") else { continue }
            var path = levels + [String(name.dropLast(5))]
            if path == [MailboxPath.inbox] { path = [] }
            guard let folder = MaildirReader.validName(path, at: url, problems: &problems) else { continue }
            do {
                folders.append(SourceFolder(name: folder, messages: try MboxFile.read(url).messages))
            } catch {
                problems.append("\(error)")
            }
        }
    }
}
