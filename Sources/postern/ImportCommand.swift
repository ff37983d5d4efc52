import ArgumentParser
import Foundation
import MailStore
import MailTransfer
import PosternServer

/// `postern import`: mail from a Maildir, mbox or directory of message files into an account.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import mail into an account from a Maildir, an mbox file or a directory of message files.",
        discussion: """
            Maildir: INBOX and every folder (Maildir++ .Sub.Folder and Dovecot's fs layout), flags, \
            dovecot-keywords, subscriptions; internal date = file time. mbox: one file (into --folder, \
            default INBOX) or a directory of NAME.mbox files; Status/X-Status/X-Keywords give flags, the \
            From_ line the date. --eml: every file is a message, subdirectories are folders. Safe to \
            run again after an interruption: messages already imported are skipped. Exit status 0 when \
            every message is there, 1 when some could not be imported (each is reported), 2 on bad usage.
            """
    )
    @Argument(help: "The account name.") var user: String
    @Option(help: "A Maildir (its root: INBOX, folders beside it).") var maildir: String?
    @Option(help: "An mbox file, or a directory of NAME.mbox files.") var mbox: String?
    @Option(help: "A directory of message files (subdirectories become folders).") var eml: String?
    @Option(help: "Import into this folder (and folders under it) instead of INBOX.") var folder: String?
    @OptionGroup var data: StoreOptions

    func run() async throws {
        let sources = [maildir, mbox, eml].compactMap { $0 }
        guard sources.count == 1 else {
            throw CommandFailure(message: "give exactly one of --maildir, --mbox and --eml")
        }
        let target = try folder.map { try Importer.targetName($0) } ?? MailboxPath.inbox
        let source = try read()
        let configuration = try data.configuration()
        let summary = try await withStore(configuration) { store in
            guard let (account, _) = try await store.credentials(accountName: user) else {
                throw CommandFailure(message: "no account named '\(user)'")
            }
            let importer = Importer(
                store: store, account: account, target: target, kind: source.kind,
                maxSize: configuration.maxMessageSize)
            return try await importer.run(source)
        }
        print(summary.line)
        if summary.failed > 0 || !source.problems.isEmpty { throw ExitCode(1) }
    }

    private func read() throws -> Importer.Source {
        do {
            if let maildir {
                let found = try MaildirReader.read(root: URL(fileURLWithPath: maildir))
                return Importer.Source(
                    kind: "maildir", folders: found.folders, subscriptions: found.subscriptions,
                    problems: found.problems)
            }
            if let mbox {
                let found = try MboxTreeReader.read(URL(fileURLWithPath: mbox))
                return Importer.Source(
                    kind: "mbox", folders: found.folders, subscriptions: [], problems: found.problems)
            }
            let found = try EmlReader.read(root: URL(fileURLWithPath: eml ?? "."))
            return Importer.Source(kind: "eml", folders: found.folders, subscriptions: [], problems: found.problems)
        } catch let error as TransferError {
            throw CommandFailure(message: error.description)
        }
    }
}
