import ArgumentParser
import Foundation
import Logging
import MailStore
import MailStorePostgres
import MailStoreSQLite
import PosternServer

/// `postern store copy`: moves an embedded installation (a data folder) into PostgreSQL.
struct StoreGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move the mail store between engines.", subcommands: [StoreCopy.self])
}

struct StoreCopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a data folder's accounts and mail into PostgreSQL, then verify the copy.",
        discussion: """
            Stop the server on the data folder first: changes made during the copy are not copied. Every \
            account moves with its password, app passwords, quota, Sieve scripts, subscriptions and \
            mailboxes; messages keep their UIDs, UIDVALIDITY, flags, dates and MODSEQs, so clients keep \
            their caches. Then every account is read back from both stores and compared (counts, UIDs, \
            flags, MODSEQs, SHA-256 of every message). Progress goes to standard error. Exit status 0 when \
            the copy verified, 1 when it failed or differs, 2 on bad usage.
            """)

    @Option(help: "The data folder to copy from.") var from: String
    @Option(help: "The PostgreSQL store to copy into: postgresql://USER@HOST[:PORT]/DATABASE.") var to: String
    @Option(help: "A file whose first line is the PostgreSQL password (default: $POSTERN_STORE_PASSWORD).")
    var passwordFile: String?
    @Flag(help: "Copy into a store that already has accounts (none of the same names).")
    var allowNonEmpty = false

    func run() async throws {
        let directory = URL(fileURLWithPath: from)
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("postern.sqlite").path) else {
            throw CommandFailure(message: "--from \(from): no Postern data folder there")
        }
        var configuration = ServerConfiguration(dataDirectory: directory)
        configuration.store = to
        configuration.storePasswordFile = passwordFile
        guard PostgresStoreURL.isPostgresURL(to) else {
            throw CommandFailure(message: "--to \(to): not a postgresql:// URL")
        }
        var logger = Logger(label: "postern")
        logger.logLevel = .warning
        let source: SQLiteMailStore
        do {
            source = try SQLiteMailStore(dataDirectory: directory, logger: logger)
        } catch {
            throw CommandFailure(message: "cannot open the store in \(directory.path): \(error)", status: 1)
        }
        defer { source.close() }
        try await withStore(configuration) { target in
            guard let target = target as? PostgresMailStore else {
                throw CommandFailure(message: "--to \(to): not a PostgreSQL store")
            }
            let copier = StoreCopier(source: source, target: target)
            do {
                try await copier.run(allowNonEmpty: allowNonEmpty)
            } catch let error as CommandFailure {
                throw error
            } catch MailStoreError.unavailable {
                throw CommandFailure(
                    message: "the database became unreachable during the copy: run it again", status: 1)
            } catch {
                throw CommandFailure(message: "copy failed: \(error)", status: 1)
            }
        }
    }
}
