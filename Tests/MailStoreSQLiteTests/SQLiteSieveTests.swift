import Foundation
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// Sieve storage on the SQLite engine: a database of the schema before it upgrades, the one-active
/// index, and rows that go with their account by cascade.
@Suite struct SQLiteSieveTests {
    @Test func upgradeFromV12AndCascade() async throws {
        try await withTemporaryDirectory { url in
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v12",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000);
                    """)
            let store = try SQLiteMailStore(dataDirectory: url)
            #expect(try await store.sieveScripts(account: 1).isEmpty)
            try await store.putSieveScript(account: 1, name: "main", source: Array("keep;".utf8), maxScripts: 5)
            try await store.putSieveScript(account: 1, name: "other", source: [], maxScripts: 5)
            try await store.setActiveSieveScript(account: 1, name: "main")
            try await store.setActiveSieveScript(account: 1, name: "other")
            #expect(try await store.activeSieveScript(account: 1)?.name == "other")
            try await store.sieveTrackingRecord(
                account: 1, kind: .vacation, key: [1, 2], expiresAt: Date() + 60, now: Date())
            #expect(try await store.rowCount("sieve_tracking") == 1)
            try await store.deleteAccount(name: "alice")
            #expect(try await store.rowCount("sieve_scripts") == 0)
            #expect(try await store.rowCount("sieve_tracking") == 0)
        }
    }

    /// What another process wrote is what the server reads: scripts live in the database only.
    @Test func secondStoreSeesScripts() async throws {
        try await withTemporaryDirectory { url in
            let first = try SQLiteMailStore(dataDirectory: url)
            let account = try await MailStoreConformance.makeAccount(first)
            let second = try SQLiteMailStore(dataDirectory: url)
            try await second.putSieveScript(account: account, name: "s", source: [7], maxScripts: 5)
            try await second.setActiveSieveScript(account: account, name: "s")
            #expect(try await first.activeSieveScript(account: account) == ActiveSieveScript(name: "s", source: [7]))
        }
    }
}
