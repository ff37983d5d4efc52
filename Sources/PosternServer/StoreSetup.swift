import Foundation
import Logging
import MailStore
import MailStorePostgres
import MailStoreSQLite
import ServiceLifecycle

/// The store `postern serve` runs on, opened and ready: the embedded engine in the data folder, or the
/// PostgreSQL engine when the configuration names a `postgresql://` URL.
public struct OpenedStore: Sendable {
    public let store: any MailStore & AccountStore
    /// What `/health/ready` asks whether the store takes writes.
    public let probe: any WritabilityProbe
    /// Keeps the store running for the life of the service group (listed first: it stops last).
    public let service: any Service
    /// Closes the store when the server stops before its service group ran.
    public let close: @Sendable () -> Void
    /// Where the store is, for messages (no secrets).
    public let description: String
}

public enum StoreSetup {
    /// The environment variable with the PostgreSQL password (when no `store_password_file` is given).
    public static let passwordVariable = "POSTERN_STORE_PASSWORD"

    /// Opens the configured store. For PostgreSQL the schema is migrated and the default quota set
    /// through a short-lived connection pool before this returns (the store's own pool runs in the
    /// service group); the data folder keeps staged messages in `pg-staging`.
    public static func open(configuration: ServerConfiguration, logger: Logger) async throws -> OpenedStore {
        guard let text = configuration.store else {
            let store = try SQLiteMailStore(dataDirectory: configuration.dataDirectory, role: .server, logger: logger)
            store.searchIndexInUse = configuration.searchIndex
            try await store.setDefaultQuota(configuration.defaultQuota)
            return OpenedStore(
                store: store, probe: store,
                service: MailStoreService(store: store, indexing: configuration.searchIndex, logger: logger),
                close: { store.close() },
                description: "the data folder \(configuration.dataDirectory.path)")
        }
        let (url, password) = try postgres(text, configuration)
        let staging = configuration.dataDirectory.appendingPathComponent("pg-staging", isDirectory: true)
        try? FileManager.default.removeItem(at: staging)
        let setup = try PostgresMailStore(url: url, password: password, stagingDirectory: staging, logger: logger)
        let quota = configuration.defaultQuota
        try await setup.withRunning { store in try await store.setDefaultQuota(quota) }
        let store = try PostgresMailStore(url: url, password: password, stagingDirectory: staging, logger: logger)
        logger.info("mail store: PostgreSQL", metadata: ["url": "\(url.description)"])
        return OpenedStore(store: store, probe: store, service: store, close: {}, description: url.description)
    }

    /// Where the configured PostgreSQL store is and its password, or nil for the embedded store (the
    /// data folder). Throws a one-line `ServerError` for a bad URL or an unreadable password file.
    public static func postgres(
        _ configuration: ServerConfiguration
    ) throws -> (url: PostgresStoreURL, password: String?)? {
        guard let text = configuration.store else { return nil }
        return try postgres(text, configuration)
    }

    static func postgres(_ text: String, _ configuration: ServerConfiguration) throws -> (PostgresStoreURL, String?) {
        do {
            return (try PostgresStoreURL(text), try password(configuration))
        } catch let error as PostgresStoreURL.Invalid {
            throw ServerError.configuration("store: \(error.description)")
        }
    }

    /// The password from `store_password_file` (its first line), else the environment, else none.
    static func password(_ configuration: ServerConfiguration) throws -> String? {
        if let path = configuration.storePasswordFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ServerError.configuration("store_password_file \(path) cannot be read")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        return ProcessInfo.processInfo.environment[passwordVariable]
    }
}
