import Foundation
import Logging
import MailStore
import MailStoreConformance
import MailStoreMemory
import MailStorePostgres
import MailStoreSQLite
import Testing

/// The engines the conformance suite runs on. Another engine joins by adding a case and its factory.
///
/// `postgres` needs a database: `POSTERN_TEST_POSTGRES_URL` (see `scripts/pg-cluster.sh`, which
/// `scripts/test.sh` starts). Without it the postgres cases are left out, visibly (see
/// `PostgresAvailability`), except under CI (`CI=true`), where they run and fail with the reason.
/// `POSTERN_TEST_ENGINES` (a comma-separated list, e.g. `postgres`) limits the run to some engines.
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case memory
    case postgres

    var testDescription: String { rawValue }

    static var allCases: [Engine] {
        let chosen = ProcessInfo.processInfo.environment["POSTERN_TEST_ENGINES"].map {
            Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        var engines: [Engine] = [.sqlite, .memory]
        if PostgresTestDatabase.url != nil || PostgresTestDatabase.isCI { engines.append(.postgres) }
        return engines.filter { chosen?.contains($0.rawValue) ?? true }
    }

    /// Runs `body` on a fresh, empty store of this engine, discarded afterwards.
    func withStore(_ body: (any MailStore & AccountStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            try await withTemporaryDirectory { url in
                try await body(try SQLiteMailStore(dataDirectory: url))
            }
        case .memory:
            try await body(try MemoryMailStore())
        case .postgres:
            try await PostgresTestDatabase.withStore(body)
        }
    }
}

/// The database the postgres engine's tests use, each test in a schema of its own (dropped after it).
enum PostgresTestDatabase {
    static let environmentKey = "POSTERN_TEST_POSTGRES_URL"
    /// Connections of each test's pool (many tests run at once on one server).
    static let poolSize = 4
    /// Many tests start at once on a busy machine: a slow connection is not an outage here (the outage
    /// itself is tested end to end, with the default).
    static let leaseTimeout = Duration.seconds(120)

    static var url: String? {
        ProcessInfo.processInfo.environment[environmentKey].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "CI=true but \(PostgresTestDatabase.environmentKey) is not set: the PostgreSQL engine was not tested "
                + "(scripts/test.sh starts a throwaway cluster with scripts/pg-cluster.sh)"
        }
    }

    /// Warnings and worse only: every test migrates a schema of its own.
    static let quietLogger: Logger = {
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .warning
        return logger
    }()

    static func withStore(_ body: (any MailStore & AccountStore) async throws -> Void) async throws {
        guard let text = url else { throw NotConfigured() }
        var storeURL = try PostgresStoreURL(text)
        storeURL.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        storeURL.poolSize = poolSize
        let store = try PostgresMailStore(
            url: storeURL, password: ProcessInfo.processInfo.environment["POSTERN_TEST_POSTGRES_PASSWORD"],
            leaseTimeout: leaseTimeout, logger: quietLogger)
        try await store.withRunning { store in
            do {
                try await body(store)
            } catch {
                try? await store.dropSchema()
                throw error
            }
            try await store.dropSchema()
        }
    }
}

/// Makes a run without PostgreSQL say so: this test is skipped, with the reason, when the postgres
/// cases are left out.
@Suite struct PostgresAvailability {
    @Test(
        .enabled(
            if: PostgresTestDatabase.url != nil || PostgresTestDatabase.isCI,
            "POSTERN_TEST_POSTGRES_URL is not set: the conformance suite did not run on PostgreSQL"))
    func postgresEngineIsTested() {
        let chosen = ProcessInfo.processInfo.environment["POSTERN_TEST_ENGINES"]
        #expect(Engine.allCases.contains(.postgres) || chosen != nil)
    }
}
