import ArgumentParser
import Foundation
import IMAPClient
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `postern migrate USER --from imaps://login@host[:port]`: copies a mailbox account from another
/// IMAP server into a Postern account (see README, "From another IMAP server").
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy all mail of an account on another IMAP server into a Postern account.",
        discussion: """
            Copies every folder with its messages, flags, keywords and internal dates, and the
            subscriptions. Run it again to copy only what changed since (new messages and, when the
            server has CONDSTORE, flag changes). Nothing is ever deleted, here or at the source.
            The password comes from --password-file, else $POSTERN_MIGRATE_PASSWORD, else a prompt.
            """
    )

    static let passwordVariable = "POSTERN_MIGRATE_PASSWORD"

    @Argument(help: "The Postern account to copy into (it must exist).") var user: String
    @Option(help: "The source: imaps://login@host[:port] (TLS) or imap://login@host[:port] (STARTTLS).")
    var from: String
    @Option(help: "A file whose first line is the source password.") var passwordFile: String?
    @Option(help: "A PEM file of a CA certificate to trust besides the system's (e.g. a self-signed server's).")
    var caFile: String?
    @OptionGroup var data: StoreOptions

    func run() async throws {
        let endpoint: IMAPEndpoint
        do {
            endpoint = try IMAPEndpoint(parsing: from)
        } catch let error as IMAPEndpoint.ParseError {
            throw CommandFailure(message: error.description)
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw CommandFailure(message: "--ca-file \(caFile): no such readable file")
        }
        let password = try obtainPassword(for: endpoint)
        let configuration = try data.configuration()
        try await withStore(configuration) { store in
            try await migrate(into: store, dataDirectory: configuration.dataDirectory, endpoint, password)
        }
    }

    private func migrate(
        into store: any MailStore & AccountStore, dataDirectory: URL, _ endpoint: IMAPEndpoint, _ password: String
    ) async throws {
        guard let (account, _) = try await store.credentials(accountName: user) else {
            throw CommandFailure(message: "no account named '\(user)'")
        }
        let log: MigrationLog
        do {
            log = try MigrationLog(dataDirectory: dataDirectory, account: user, source: endpoint.description)
        } catch {
            throw CommandFailure(message: "cannot open the migration state: \(error)", status: 1)
        }
        var started: Migration?
        do {
            try await IMAPConnection.withConnection(to: endpoint, password: password, caFile: caFile) { connection in
                let migration = Migration(connection: connection, store: store, account: account, log: log)
                started = migration
                try await migration.run()
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            started?.progress?.clear()
            throw CommandFailure(message: "migrate from \(endpoint.description): \(Self.describe(error))", status: 1)
        }
        guard let migration = started else { return }
        try report(migration, endpoint: endpoint, seconds: Date().timeIntervalSince(migration.started))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IMAPClientError { return error.description }
        if let error = error as? FramingError { return error.description }
        if let error = error as? ResponseSyntaxError { return error.description }
        if case MailStoreError.overQuota = error {
            return
                "the account is over its quota (raise it with 'postern user quota', then run again: what was copied stays)"
        }
        return String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }

    func report(_ migration: Migration, endpoint: IMAPEndpoint, seconds: TimeInterval) throws {
        let totals = migration.totals
        let rate = Int(Double(totals.bytesCopied) / max(seconds, 0.001))
        print("migrated \(endpoint.description) into \(user) in \(TransferProgress.clock(seconds))")
        print(
            "folders: \(totals.folders) (\(totals.foldersCreated) created), messages copied: \(totals.messagesCopied) "
                + "(\(TransferProgress.megabytes(totals.bytesCopied)) MB, \(TransferProgress.megabytes(rate)) MB/s), "
                + "flag updates: \(totals.flagUpdates), subscriptions: \(totals.subscriptions), "
                + "skipped: \(totals.skipped)")
        guard !migration.mismatches.isEmpty || !migration.failedFolders.isEmpty else {
            print("verified: every folder has a copy of each of its messages")
            return
        }
        print("folders that differ (messages at the source, copies here):")
        for mismatch in migration.mismatches {
            print("  \(mismatch.folder)\t\(mismatch.source)\t\(mismatch.destination)")
        }
        for (name, reason) in migration.failedFolders {
            print("  \(name)\tnot copied: \(reason)")
        }
        let count = migration.mismatches.count + migration.failedFolders.count
        throw CommandFailure(message: "\(count) folder(s) differ from the source", status: 1)
    }

    /// --password-file, else the environment variable, else a prompt without echo on the terminal.
    func obtainPassword(for endpoint: IMAPEndpoint) throws -> String {
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw CommandFailure(message: "--password-file \(passwordFile): cannot read it")
            }
            var first = Array(data.prefix { $0 != UInt8(ascii: "\n") })
            if first.last == UInt8(ascii: "\r") { first.removeLast() }
            let line = String(decoding: first, as: UTF8.self)
            guard !line.isEmpty else {
                throw CommandFailure(message: "--password-file \(passwordFile): its first line is empty")
            }
            return line
        }
        if let value = ProcessInfo.processInfo.environment[Self.passwordVariable], !value.isEmpty { return value }
        guard let typed = PasswordPrompt.ask("Password for \(endpoint.description): ") else {
            throw CommandFailure(
                message: "no password: give --password-file or \(Self.passwordVariable), or run on a terminal")
        }
        return typed
    }
}
