import Foundation
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// Quota on the SQLite engine: the upgrade that starts counting, and figures shared between processes.
@Suite struct SQLiteQuotaTests {
    /// A database from before quotas opens with each account's usage counted from its messages.
    @Test func upgradeCountsExistingMessages() async throws {
        try await withTemporaryDirectory { url in
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v8",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created, last_uidvalidity)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000, 5000),
                        (2, 'bob', x'00', 1, x'00', x'00', 1000, 5000);
                    INSERT INTO mailboxes (id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid)
                        VALUES (1, 1, 'INBOX', 5000, 4, 6, 4), (2, 1, 'Other', 5001, 2, 1, 2),
                        (3, 2, 'INBOX', 5002, 1, 1, 1);
                    INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, save_date, size, blob)
                        VALUES (1, 1, 2, 1, '', 1600000000, 1600000000, 5, 'a'),
                        (1, 3, 5, 0, '', 1600000100, 1600000100, 6, 'b'),
                        (2, 1, 1, 0, '', 1600000000, 1600000000, 5, 'a');
                    """)
            let store = try SQLiteMailStore(dataDirectory: url)
            #expect(
                try await store.quota(account: 1)
                    == AccountQuota(
                        usedBytes: 16, usedMessages: 3, limits: .unlimited, isDefault: true))
            #expect(try await store.quota(account: 2).usedMessages == 0)
        }
    }

    /// The default quota and an account's limits are in the database: a second store on the same data
    /// folder (a CLI beside the server) enforces them too.
    @Test func limitsAreSharedByEveryProcess() async throws {
        try await withTemporaryDirectory { url in
            let server = try SQLiteMailStore(dataDirectory: url)
            let account = try await MailStoreConformance.makeAccount(server)
            try await server.setDefaultQuota(QuotaLimits(storageBytes: 1 << 30, messages: 1))
            let cli = try SQLiteMailStore(dataDirectory: url)
            let inbox = try await MailStoreConformance.mailboxID(cli, account, "INBOX")
            try await MailStoreConformance.append(cli, account, inbox, MailStoreConformance.message(1))
            await MailStoreConformance.expectError(.overQuota) {
                try await MailStoreConformance.append(cli, account, inbox, MailStoreConformance.message(2))
            }
            try await cli.setQuota(account: account, limits: QuotaLimits(messages: 2))
            try await MailStoreConformance.append(server, account, inbox, MailStoreConformance.message(2))
            #expect(try await server.quota(account: account).usedMessages == 2)
        }
    }
}
