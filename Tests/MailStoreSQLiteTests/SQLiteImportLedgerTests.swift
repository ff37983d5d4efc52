import Foundation
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// The import ledger on the SQLite engine: a database of the schema before it upgrades, and keys
/// go with their account by cascade.
@Suite struct SQLiteImportLedgerTests {
    @Test func upgradeFromV10AndCascade() async throws {
        try await withTemporaryDirectory { url in
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v10",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000);
                    INSERT INTO mailboxes (id, account_id, name, uidvalidity) VALUES (1, 1, 'INBOX', 5000);
                    """)
            let store = try SQLiteMailStore(dataDirectory: url)
            #expect(try await store.importedKeys(account: 1, prefix: "").isEmpty)
            let staged = try MailStoreConformance.stage(store, MailStoreConformance.message(1))
            let results = try await store.appendOnce(
                account: 1, mailbox: 1,
                messages: [StagedAppend(message: staged, flags: MessageFlags(), internalDate: Date(), importKey: "k")])
            #expect(results.map { $0?.uid } == [1])
            #expect(try await store.importedKeys(account: 1, prefix: "k") == ["k"])
            try await store.deleteAccount(name: "alice")
            #expect(try await store.rowCount("import_keys") == 0)
        }
    }
}
