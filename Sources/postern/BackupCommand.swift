import ArgumentParser
import Foundation
import MailStoreSQLite

struct BackupGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the data folder while the server runs (or verify a backup).",
        discussion: """
            'postern backup DEST' copies a consistent snapshot of the data folder into DEST: the database \
            (SQLite online backup), every message file it references (hard links when DEST is on the same \
            file system, else fsynced copies) and a manifest with each file's size and SHA-256, written last. \
            Run again with the same DEST for an incremental backup (only new message files are added). \
            For a PostgreSQL store use pg_dump or pg_basebackup.
            """,
        subcommands: [Create.self, Verify.self],
        defaultSubcommand: Create.self
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Back up the data folder into DEST (the default subcommand).")
        @Argument(help: "The backup folder (made if missing; its parent must exist).") var dest: String
        @Flag(help: "Copy message files even when hard links are possible.") var copy = false
        @OptionGroup var location: StoreLocationOptions

        func run() async throws {
            let data = try location.embeddedDataFolder(command: "backup")
            let started = Date()
            let summary = try await maintenance {
                try StoreBackup.run(
                    dataDirectory: data, destination: URL(fileURLWithPath: dest), copy: copy,
                    progress: progressPrinter("backup"))
            }
            let seconds = Date().timeIntervalSince(started)
            print(
                "backup of \(data.path) in \(dest): \(summary.files) message files (\(summary.linked) linked, "
                    + "\(summary.copied) copied, \(summary.kept) kept, \(summary.removed) removed), "
                    + "\(summary.contentBytes) bytes of messages, database \(summary.databaseBytes) bytes, "
                    + "\(summary.snapshots) snapshot(s), \(String(format: "%.2f", seconds)) s")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a backup: its manifest, every file's size and SHA-256, the database's integrity.")
        @Argument(help: "The backup folder.") var src: String

        func run() async throws {
            let result = try await maintenance {
                try BackupVerify.run(backup: URL(fileURLWithPath: src), progress: progressPrinter("verify"))
            }
            guard result.problems.isEmpty else {
                for problem in result.problems { printError("verify: \(problem)") }
                printError("backup \(src) is damaged: \(result.problems.count) problem(s)")
                throw ExitCode(1)
            }
            print("backup \(src) is good: \(result.files) files, \(result.bytes) bytes")
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a data folder from a backup (verified first; the folder must be new or empty).")
    @Argument(help: "The backup folder.") var src: String
    @OptionGroup var data: DataDirectoryOption

    func run() async throws {
        let target = data.resolve()
        let summary = try await maintenance {
            try StoreRestore.run(
                backup: URL(fileURLWithPath: src), dataDirectory: target, progress: progressPrinter("restore"))
        }
        print("restored \(src) into \(target.path): \(summary.files) files, \(summary.bytes) bytes")
    }
}
