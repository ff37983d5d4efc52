import Foundation
import Logging
import MailStore
import PostgresNIO
import ServiceLifecycle
import Synchronization
import _ConnectionPoolModule

/// The engine for several Postern nodes on one PostgreSQL database: metadata and message content
/// (chunked `bytea`, stored once per distinct content) live in the database, so any node can serve
/// any account and a node keeps nothing that another node's write could make stale.
///
/// Concurrency between nodes rests on row locks: every write locks the rows of the mailboxes it
/// changes (`FOR NO KEY UPDATE`) before it allocates UIDs or a MODSEQ from them, so allocation is
/// atomic per mailbox and commits of one mailbox are serialised; writes to different mailboxes run
/// in parallel. A transaction that loses a deadlock or a serialisation conflict is run again.
///
/// Lifecycle: `run()` (a service-lifecycle `Service`) runs the connection pool; calls wait for it.
/// `migrate()` brings the schema up to date under an advisory lock (nodes starting together migrate
/// once). Incoming messages are staged on local disk (`stagingDirectory`) and streamed into the
/// database by `append`. Committed changes are published on `changeHub` (this node's sessions).
public final class PostgresMailStore: MailStore, AccountStore, Service {
    public let changeHub = ChangeHub()
    public let stagingDirectory: URL
    let client: PostgresClient
    let logger: Logger
    /// Removed with the store when the store made it itself.
    private let ownsStagingDirectory: Bool
    /// The schema the store's tables live in, when the URL named one (created by `migrate`).
    let schema: String?
    /// How long a call waits for a connection (see `withLeasedConnection`).
    let leaseTimeout: Duration
    /// Names this node in its change notifications, so that it skips its own (it published them already).
    let nodeID = String(UUID().uuidString.prefix(13))
    /// Bytes of expunged messages' text held for this node's sessions (bounded by `Limits.retainedBytes`).
    let retainedBytes = Atomic<Int>(0)
    /// `Limits.retainedBytes`, or a smaller budget a test gives.
    let retainedBudget: Int

    /// Every limit of the engine, in one place.
    public enum Limits {
        /// Bytes per content chunk row: a message is written and read one chunk at a time.
        public static let chunkSize = 256 * 1024
        /// Times a transaction is tried when PostgreSQL aborts it for a deadlock or a serialisation
        /// conflict with another writer.
        public static let transactionAttempts = 8
        /// How long a call waits for a connection of the pool before it fails as `.unavailable`.
        public static let leaseTimeout = Duration.seconds(5)
        /// The pause before the node listens for change notifications again after losing the connection.
        public static let listenRetryDelay = Duration.seconds(1)
        /// Bytes of expunged messages' text this node holds in memory for its sessions not yet told of
        /// the expunge (`retainRemoved`); past it, an expunged message keeps its metadata only.
        public static let retainedBytes = 64 * 1024 * 1024
        /// The longest any one statement may run (PostgreSQL's `statement_timeout` on every connection of
        /// the pool), waiting for a lock included: past it PostgreSQL cancels the statement and the call
        /// fails as `.unavailable` (NO [UNAVAILABLE] to a client) rather than holding the session.
        /// Migrations run without it.
        public static let statementTimeout = Duration.seconds(30)
    }

    /// - Parameters:
    ///   - configuration: where and how to connect (see `PostgresStoreURL`).
    ///   - stagingDirectory: where incoming messages are staged before `append`; nil: a private
    ///     temporary directory, removed with the store.
    ///   - leaseTimeout: how long a call waits for a connection before it fails as `.unavailable`.
    ///   - retainedBudget: bytes of expunged messages' text kept for this node's sessions (see `retainRemoved`).
    ///   - statementTimeout: the longest one statement may run (see `Limits.statementTimeout`).
    public convenience init(
        url: PostgresStoreURL, password: String?, stagingDirectory: URL? = nil,
        leaseTimeout: Duration = Limits.leaseTimeout, retainedBudget: Int = Limits.retainedBytes,
        statementTimeout: Duration = Limits.statementTimeout, logger: Logger
    ) throws {
        try self.init(
            configuration: url.configuration(password: password), schema: url.schema,
            stagingDirectory: stagingDirectory, leaseTimeout: leaseTimeout, retainedBudget: retainedBudget,
            statementTimeout: statementTimeout, logger: logger)
    }

    public init(
        configuration: PostgresClient.Configuration, schema: String? = nil, stagingDirectory: URL? = nil,
        leaseTimeout: Duration = Limits.leaseTimeout, retainedBudget: Int = Limits.retainedBytes,
        statementTimeout: Duration = Limits.statementTimeout, logger: Logger
    ) throws {
        var configuration = configuration
        let milliseconds =
            statementTimeout.components.seconds * 1000
            + statementTimeout.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters.append(("statement_timeout", "\(max(1, milliseconds))"))
        self.logger = logger
        self.leaseTimeout = leaseTimeout
        self.retainedBudget = retainedBudget
        self.schema = schema
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let directory =
            stagingDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "postern-pg-staging-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailStoreError.internal("cannot create the staging directory: \(error)")
        }
        self.stagingDirectory = directory
        ownsStagingDirectory = stagingDirectory == nil
    }

    deinit {
        if ownsStagingDirectory { try? FileManager.default.removeItem(at: stagingDirectory) }
    }

    /// Runs the connection pool and the listener for other nodes' changes until the task is cancelled or
    /// the service group shuts down.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.listenForNotices() }
        }
    }

    public func stageMessage(maxSize: Int) throws -> StagedMessageWriter {
        try MessageStaging(directory: stagingDirectory, maxSize: maxSize).begin()
    }

    /// Runs `body` with the pool running and the schema migrated, then stops the pool.
    public func withRunning<T: Sendable>(_ body: (PostgresMailStore) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            defer { group.cancelAll() }
            try await migrate()
            return try await body(self)
        }
    }
}

// MARK: Transactions and errors

/// One transaction's connection and what it changed (published after commit).
final class Transaction {
    let connection: PostgresConnection
    let logger: Logger
    var changed: Set<MailboxID> = []
    /// Accounts deleted by this transaction (their sessions are told after commit).
    var removedAccounts: [AccountID] = []

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs a statement and returns every row.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// The first row of a statement, or nil.
    func row(_ query: PostgresQuery) async throws -> PostgresRow? {
        try await rows(query).first
    }
}

extension PostgresMailStore {
    /// Runs `body` in a read-write transaction (READ COMMITTED; writers lock what they change), again
    /// when PostgreSQL aborts it for a deadlock or serialisation conflict, and publishes the mailboxes
    /// it changed once it has committed.
    @discardableResult
    func write<T: Sendable>(_ what: String, _ body: (Transaction) async throws -> T) async throws -> T {
        try await transaction(what, begin: "BEGIN", notify: true, body)
    }

    /// Runs `body` in a read-only transaction on one snapshot of the database (REPEATABLE READ).
    func read<T: Sendable>(_ what: String, _ body: (Transaction) async throws -> T) async throws -> T {
        try await transaction(what, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", notify: false, body)
    }

    /// One statement outside a transaction: its rows.
    func query(_ what: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await withLeasedConnection { connection in
                try await connection.query(query, logger: logger).collect()
            }
        } catch {
            throw storeError(what, error)
        }
    }

    private func transaction<T: Sendable>(
        _ what: String, begin: PostgresQuery, notify: Bool, _ body: (Transaction) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                let (result, changed, removed) = try await withLeasedConnection {
                    connection -> (T, Set<MailboxID>, [AccountID]) in
                    let tx = Transaction(connection: connection, logger: logger)
                    try await tx.rows(begin)
                    do {
                        let result = try await body(tx)
                        if notify { try await sendNotices(tx) }
                        try await tx.rows("COMMIT")
                        return (result, tx.changed, tx.removedAccounts)
                    } catch {
                        _ = try? await tx.rows("ROLLBACK")
                        throw error
                    }
                }
                for mailbox in changed.sorted() { changeHub.publish(mailbox: mailbox) }
                for account in removed { changeHub.publish(accountRemoved: account) }
                return result
            } catch {
                if attempt < Limits.transactionAttempts, Self.isConflict(error) {
                    attempt += 1
                    continue
                }
                throw storeError(what, error)
            }
        }
    }

    /// A deadlock or serialisation failure: the transaction was rolled back and may run again.
    static func isConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server,
            let state = error.serverInfo?[.sqlState]
        else { return false }
        return state == "40001" || state == "40P01"
    }

    /// A unique violation (another writer inserted the same key first).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    /// Whether `error` means the database cannot be reached (connection refused or lost, server shutting
    /// down or starting): the command may succeed later, and the client is told so (`.unavailable`).
    static func isUnavailable(_ error: any Error) -> Bool {
        if error is ConnectionPoolError { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .server:
            guard let state = error.serverInfo?[.sqlState] else { return false }
            // Class 08: connection exception; 57P01-57P03: admin or crash shutdown, cannot connect now;
            // 53300: too many connections; 57014: cancelled, here by `statement_timeout` (the database
            // is too slow or a lock is held too long: the command may succeed later).
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300", "57014"].contains(state)
        case .queryCancelled, .tooManyParameters, .invalidCommandTag, .unsupportedAuthMechanism,
            .authMechanismRequiresPassword, .saslError:
            return false
        default:
            return true
        }
    }

    /// The error a caller sees: the store's own refusals as they are, an unreachable database as
    /// `.unavailable`, anything else logged and turned into `.internal` (clients never see internals).
    func storeError(_ what: String, _ error: any Error) -> any Error {
        if let error = error as? SieveScriptError { return error }
        if let error = error as? MetadataError { return error }
        if let error = error as? MailStoreError {
            if case .internal(let message) = error {
                logger.error("mail store: \(what) failed", metadata: ["error": "\(message)"])
            }
            return error
        }
        if Self.isUnavailable(error) {
            logger.warning("mail store: database unavailable", metadata: ["operation": "\(what)", "error": "\(error)"])
            return MailStoreError.unavailable
        }
        logger.error("mail store: \(what) failed", metadata: ["error": "\(String(reflecting: error))"])
        return MailStoreError.internal("\(what): \(error)")
    }
}
