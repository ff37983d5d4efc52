import Foundation
import Logging
import MailStore
import PostgresNIO
import Testing

@testable import MailStorePostgres

/// A statement past `statementTimeout` fails as `.unavailable` (never a hang); nodes starting at once
/// on an empty database migrate once. Needs `POSTERN_TEST_POSTGRES_URL`.
@Suite(.enabled(if: TestDatabase.url != nil || TestDatabase.isCI, "POSTERN_TEST_POSTGRES_URL is not set"))
struct PostgresTimeoutTests {
    static func url(schema: String) throws -> PostgresStoreURL {
        var url = try PostgresStoreURL(
            try #require(TestDatabase.url, "CI=true but POSTERN_TEST_POSTGRES_URL is not set"))
        url.schema = schema
        url.poolSize = 4
        return url
    }

    static func schemaName() -> String {
        "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    static func store(
        _ url: PostgresStoreURL, statementTimeout: Duration = PostgresMailStore.Limits.statementTimeout
    )
        throws -> PostgresMailStore
    {
        var logger = Logger(label: "postgres-timeout-test")
        logger.logLevel = .critical
        return try PostgresMailStore(
            url: url, password: nil, leaseTimeout: .seconds(120), statementTimeout: statementTimeout, logger: logger)
    }

    /// Another node holds the mailbox's row lock longer than the statement timeout: the APPEND waiting
    /// for it fails as `.unavailable` soon after the timeout, and works once the lock is gone.
    @Test func statementPastTheTimeoutIsUnavailable() async throws {
        let url = try Self.url(schema: Self.schemaName())
        let holder = try Self.store(url)
        let hurried = try Self.store(url, statementTimeout: .milliseconds(500))
        try await holder.withRunning { holder in
            try await hurried.withRunning { hurried in
                do {
                    try await Self.contend(holder, hurried)
                } catch {
                    try? await holder.dropSchema()
                    throw error
                }
                try await holder.dropSchema()
            }
        }
    }

    static func contend(_ holder: PostgresMailStore, _ hurried: PostgresMailStore) async throws {
        let account = try await holder.createAccount(name: "alice", credentials: Self.credentials)
        let inbox = try #require(try await holder.mailbox(account: account, name: "INBOX")).id
        let (locked, lockTaken) = AsyncStream.makeStream(of: Void.self)
        let hold = Task {
            try await holder.write("hold the mailbox") { tx in
                try await tx.rows("SELECT 1 FROM mailboxes WHERE id = \(inbox) FOR UPDATE")
                lockTaken.yield()
                try await Task.sleep(for: .seconds(4))
            }
        }
        for await _ in locked { break }
        let began = ContinuousClock.now
        await #expect(throws: MailStoreError.unavailable) {
            _ = try await hurried.append(
                account: account, mailbox: inbox, message: try Self.stage(hurried), flags: MessageFlags(),
                internalDate: Date())
        }
        #expect(ContinuousClock.now - began < .seconds(4))
        try await hold.value
        let result = try await hurried.append(
            account: account, mailbox: inbox, message: try Self.stage(hurried), flags: MessageFlags(),
            internalDate: Date())
        #expect(result.uid == 1)
    }

    /// Two nodes migrating an empty schema at the same moment: both succeed, each migration is
    /// recorded once, and the schema works.
    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let url = try Self.url(schema: Self.schemaName())
        let first = try Self.store(url)
        let second = try Self.store(url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            group.addTask { await second.run() }
            defer { group.cancelAll() }
            async let a: Void = first.migrate()
            async let b: Void = second.migrate()
            _ = try await (a, b)
            let rows = try await first.query(
                "count migrations", "SELECT count(*), count(DISTINCT version) FROM schema_migrations")
            let (count, distinct) = try #require(rows.first).decode((Int64, Int64).self)
            #expect(count == Int64(PostgresSchema.migrations.count) && distinct == count)
            _ = try await second.createAccount(name: "bob", credentials: Self.credentials)
            #expect(try await first.listAccounts().map(\.name) == ["bob"])
            try await first.dropSchema()
        }
    }

    static func stage(_ store: PostgresMailStore) throws -> StagedMessage {
        let writer = try store.stageMessage(maxSize: 1 << 20)
        try writer.write(Array("Subject: t\r\n\r\nbody\r\n".utf8))
        return try writer.finish()
    }

    static let credentials = StoredCredentials(salt: [1, 2, 3], iterations: 4096, storedKey: [4], serverKey: [5])
}
