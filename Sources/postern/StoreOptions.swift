import ArgumentParser
import Foundation
import Logging
import MailStore
import MailStorePostgres
import MailStoreSQLite
import PosternServer

/// Where a command finds the mail store, as `serve` does: the data folder, or a PostgreSQL URL from
/// `--store` or the config file's `store` (password from `store_password_file` or the environment).
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The data folder (default: $POSTERN_DATA_DIR, else ./postern-data).")
    var dataDir: String?

    @Option(
        help: """
            The mail store in PostgreSQL: postgresql://USER@HOST[:PORT]/DATABASE (password from \
            POSTERN_STORE_PASSWORD or the config's store_password_file). Default: the data folder.
            """)
    var store: String?

    @Option(
        help: """
            The server's TOML config file: its data_dir, store and store_password_file, and the settings \
            the command uses (e.g. local_domains, aliases and max_message_size for deliver).
            """)
    var config: String?

    /// Flag, then environment, then `fallback` (from a config file), then ./postern-data.
    func resolve(fallback: URL? = nil) -> URL {
        DataDirectoryOption.resolve(dataDir, fallback: fallback)
    }

    /// The config file (when given) under the flags; a bad file is a one-line failure with `status`.
    func configuration(status: Int32 = 2) throws -> ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: resolve())
        if let config {
            do {
                try configuration.apply(tomlFile: config)
            } catch let error as ServerError {
                throw CommandFailure(message: error.description, status: status)
            }
            configuration.dataDirectory = resolve(fallback: configuration.dataDirectory)
        }
        if let store { configuration.store = store }
        return configuration
    }
}

/// Opens the store the options name, runs `body` on it and closes it.
func withStore<T: Sendable>(
    _ options: StoreOptions, _ body: (any MailStore & AccountStore) async throws -> T
) async throws -> T {
    try await withStore(options.configuration(), body)
}

/// Opens the configured store, runs `body` on it and closes it: the embedded store in the data folder,
/// or PostgreSQL, whose connection pool runs while `body` does (the schema is brought up to date first,
/// as `serve` does). A store that cannot be opened or reached is a one-line failure with `status`, a bad
/// URL or password file one with `usage`.
func withStore<T: Sendable>(
    _ configuration: ServerConfiguration, status: Int32 = 1, usage: Int32 = 2,
    _ body: (any MailStore & AccountStore) async throws -> T
) async throws -> T {
    let postgres: (url: PostgresStoreURL, password: String?)?
    do {
        postgres = try StoreSetup.postgres(configuration)
    } catch let error as ServerError {
        throw CommandFailure(message: error.description, status: usage)
    }
    var logger = Logger(label: "postern")
    guard let (url, password) = postgres else {
        logger.logLevel = .warning
        let store = try openEmbeddedStore(configuration.dataDirectory, logger: logger, status: status)
        defer { store.close() }
        return try await body(store)
    }
    // An unreachable database is said once, in the command's own error line.
    logger.logLevel = .error
    let store: PostgresMailStore
    do {
        store = try PostgresMailStore(url: url, password: password, logger: logger)
    } catch {
        throw CommandFailure(message: "cannot open the mail store (\(url.description)): \(error)", status: status)
    }
    var started = false
    do {
        return try await store.withRunning { store in
            started = true
            return try await body(store)
        }
    } catch MailStoreError.unavailable where !started {
        throw CommandFailure(
            message: "cannot reach the database of the mail store (\(url.description))", status: status)
    } catch  where !started {
        throw CommandFailure(message: "cannot open the mail store (\(url.description)): \(error)", status: status)
    }
}

/// The embedded store in `directory` (made when missing).
private func openEmbeddedStore(_ directory: URL, logger: Logger, status: Int32) throws -> SQLiteMailStore {
    do {
        try DurableFiles.makeDirectory(directory)
    } catch {
        throw CommandFailure(message: "cannot make the data folder \(directory.path): \(error)", status: status)
    }
    do {
        return try SQLiteMailStore(dataDirectory: directory, logger: logger)
    } catch {
        throw CommandFailure(message: "cannot open the store in \(directory.path): \(error)", status: status)
    }
}
