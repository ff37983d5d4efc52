import ArgumentParser
import Foundation
import MailStore
import MailTransfer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `postern export`: an account's mail to a Maildir++ tree or to mbox files.
struct Export: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case maildir
        case mbox
    }

    static let configuration = CommandConfiguration(
        abstract: "Export an account's mail to a Maildir or to mbox files.",
        discussion: """
            maildir: Maildir++ (INBOX in DIR, folders in DIR/.Sub.Folder), flags in file names, \
            dovecot-keywords, subscriptions, file time = internal date. mbox: DIR/INBOX.mbox, \
            DIR/Sub/Folder.mbox (mboxrd, Status/X-Status/X-Keywords). DIR must be missing or empty: \
            an export never overwrites. Files are synced to disk before the command ends.
            """
    )
    @Argument(help: "The account name.") var user: String
    @Option(help: "maildir or mbox.") var to: Format
    @Argument(help: "The directory to write (missing or empty).") var directory: String
    @OptionGroup var data: StoreOptions

    func run() async throws {
        let root = URL(fileURLWithPath: directory)
        try await withStore(data) { store in
            guard let (account, _) = try await store.credentials(accountName: user) else {
                throw CommandFailure(message: "no account named '\(user)'")
            }
            do {
                let exporter = Exporter(store: store, account: account)
                let line = try await to == .maildir ? exporter.maildir(root) : exporter.mbox(root)
                sync()
                print(line)
            } catch let error as TransferError {
                throw CommandFailure(message: error.description, status: 1)
            }
        }
    }
}

/// Reads every selectable mailbox of an account, in name order, and hands its messages to a writer.
struct Exporter {
    let store: any MailStore
    let account: AccountID

    struct Folder {
        var info: MailboxInfo
        var messages: [MessageMeta]
    }

    private func folders() async throws -> [Folder] {
        var result: [Folder] = []
        for info in try await store.listMailboxes(account: account).sorted(by: { $0.name < $1.name })
        where !info.isNoSelect {
            let metas = try await store.messages(
                account: account, mailbox: info.id, uids: UIDSet(ranges: [1...UID.max]))
            result.append(Folder(info: info, messages: metas))
        }
        return result
    }

    /// Calls `write` with each message's bytes; returns the summary line.
    private func each(
        _ folders: [Folder], _ write: (Folder, MessageMeta, Data) throws -> Void
    ) async throws -> String {
        let progress = TransferProgress(
            totalMessages: folders.reduce(0) { $0 + $1.messages.count },
            totalBytes: folders.reduce(0) { $0 + $1.messages.reduce(0) { $0 + $1.size } })
        var exported = 0
        for folder in folders {
            for meta in folder.messages {
                // A message expunged since the listing is simply not exported.
                guard let bytes = try await store.content(account: account, mailbox: folder.info.id, uid: meta.uid)
                else { continue }
                try write(folder, meta, bytes)
                exported += 1
                progress.advance(bytes: bytes.count)
            }
        }
        progress.clear()
        let megabytes = Double(progress.bytes) / 1_000_000
        return "exported \(exported) messages, folders \(folders.count), "
            + String(format: "%.1f MB in %.1f s", megabytes, progress.seconds)
    }

    func maildir(_ root: URL) async throws -> String {
        let writer = try MaildirWriter(root: root)
        let folders = try await folders()
        var writers: [MailboxID: MaildirWriter.FolderWriter] = [:]
        for folder in folders {
            let keywords = folder.messages.reduce(into: Set<String>()) { $0.formUnion($1.flags.keywords) }
            writers[folder.info.id] = try writer.beginFolder(folder.info.name, keywords: keywords)
            let lettered = keywords
            if lettered.count > DovecotKeywords.maxLetters {
                printError(
                    "\(folder.info.name): \(lettered.count) keywords, Maildir has letters for "
                        + "\(DovecotKeywords.maxLetters): \(lettered.sorted().dropFirst(DovecotKeywords.maxLetters).joined(separator: " ")) not written"
                )
            }
        }
        let line = try await each(folders) { folder, meta, bytes in
            try writers[folder.info.id]?.write(
                bytes, uid: meta.uid, uidValidity: folder.info.uidValidity, flags: meta.flags, date: meta.internalDate)
        }
        try writer.writeSubscriptions(try await store.subscriptions(account: account))
        return line
    }

    func mbox(_ root: URL) async throws -> String {
        let writer = try MboxWriter(root: root)
        let folders = try await folders()
        var handles: [MailboxID: FileHandle] = [:]
        defer { for handle in handles.values { try? handle.close() } }
        for folder in folders {
            let url = try writer.beginFolder(folder.info.name)
            do {
                handles[folder.info.id] = try FileHandle(forWritingTo: url)
            } catch {
                throw TransferError.writeFailed(url.path, "\(error)")
            }
        }
        return try await each(folders) { folder, meta, bytes in
            let entry = MboxWriter.entry([UInt8](bytes), flags: meta.flags, date: meta.internalDate)
            do {
                try handles[folder.info.id]?.write(contentsOf: entry)
            } catch {
                throw TransferError.writeFailed(writer.fileURL(of: folder.info.name).path, "\(error)")
            }
        }
    }
}
