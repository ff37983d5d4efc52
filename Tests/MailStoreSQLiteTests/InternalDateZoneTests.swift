import Foundation
import MailStore
import MailStoreConformance
import MailStoreSQLite
import Testing

/// The zone of an APPEND's date-time stays with the message, through COPY and MOVE and a reopen.
@Suite struct InternalDateZoneTests {
    @Test func zoneIsKeptThroughCopyMoveAndReopen() async throws {
        try await withTemporaryDirectory { url in
            let date = Date(timeIntervalSince1970: 1_580_551_872)
            do {
                let store = try SQLiteMailStore(dataDirectory: url)
                let account = try await MailStoreConformance.makeAccount(store)
                let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
                let trash = try await MailStoreConformance.mailboxID(store, account, "Trash")
                let archive = try await MailStoreConformance.mailboxID(store, account, "Archive")
                let results = try await store.append(
                    account: account, mailbox: inbox,
                    messages: [
                        StagedAppend(
                            message: try MailStoreConformance.stage(store, "west"), flags: MessageFlags(),
                            internalDate: date, internalDateZone: -480),
                        StagedAppend(
                            message: try MailStoreConformance.stage(store, "east"), flags: MessageFlags(),
                            internalDate: date, internalDateZone: 330),
                    ])
                #expect(results.map(\.uid) == [1, 2])
                _ = try await store.copy(account: account, from: inbox, uids: UIDSet([1]), to: trash)
                _ = try await store.move(account: account, from: inbox, uids: UIDSet([2]), to: archive)
            }
            let store = try SQLiteMailStore(dataDirectory: url)
            let account = try #require(try await store.credentials(accountName: "alice")).0
            func zones(_ name: String) async throws -> [Int] {
                let mailbox = try await MailStoreConformance.mailboxID(store, account, name)
                return try await store.messages(account: account, mailbox: mailbox, uids: UIDSet(ranges: [1...100]))
                    .map(\.internalDateZone)
            }
            #expect(try await zones("INBOX") == [-480])
            #expect(try await zones("Trash") == [-480])
            #expect(try await zones("Archive") == [330])
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let meta = try await store.messages(account: account, mailbox: inbox, uids: UIDSet([1]))
            #expect(meta.first?.internalDate == date)
            // A message appended without a zone (the single-message form) is UTC.
            _ = try await MailStoreConformance.append(store, account, inbox, "utc")
            #expect(try await zones("INBOX") == [-480, 0])
        }
    }
}
