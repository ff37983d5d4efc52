import Foundation
import GRDB
import MailStore
import MailStoreConformance
import SQLiteSyncRecorder
import Testing

@testable import MailStoreSQLite

/// A tagged OK means durable: every connection that writes runs WAL with `synchronous = FULL`, no
/// write is acknowledged before the WAL frames it wrote are synced, and a content file is unlinked
/// only after the commit that dropped its last reference is.
@Suite struct DurabilityTests {
    /// The counts of the recording VFS for the store's database files.
    struct Files {
        let directory: URL
        var wal: sync_recorder_counts { sync_recorder_counts_for(directory.lastPathComponent + "/postern.sqlite-wal") }
        var database: sync_recorder_counts { sync_recorder_counts_for(directory.lastPathComponent + "/postern.sqlite") }

        /// Nothing the store wrote to its database is waiting for a sync.
        func expectAllSynced(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(wal.unsynced_writes == 0, "\(what): WAL writes not synced", sourceLocation: sourceLocation)
            #expect(
                database.unsynced_writes == 0, "\(what): database writes not synced", sourceLocation: sourceLocation)
        }
    }

    init() {
        #expect(sync_recorder_install() == 0)
    }

    @Test func everyWritingConnectionIsWALWithSynchronousFull() async throws {
        try await withTemporaryDirectory { url in
            // First open (the server's first start), then a second opener at the same time (the CLI
            // while the server runs), then a reopen of an existing database.
            let first = try SQLiteMailStore(dataDirectory: url)
            let second = try SQLiteMailStore(dataDirectory: url)
            for store in [first, second] {
                let settings = try await store.writerDurabilitySettings()
                #expect(settings.synchronous == 2)
                #expect(settings.journalMode == "wal")
            }
        }
        try await withTemporaryDirectory { url in
            do { _ = try SQLiteMailStore(dataDirectory: url) }
            let reopened = try SQLiteMailStore(dataDirectory: url)
            let settings = try await reopened.writerDurabilitySettings()
            #expect(settings.synchronous == 2 && settings.journalMode == "wal")
        }
    }

    @Test func aConnectionThatIsNotDurableIsRefused() throws {
        let queue = try DatabaseQueue()
        try queue.inDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            #expect(throws: MailStoreError.self) { try SQLiteMailStore.requireDurable(db) }
        }
    }

    @Test func noWriteIsAcknowledgedBeforeItsWALFramesAreSynced() async throws {
        try await withTemporaryDirectory { url in
            let files = Files(directory: url)
            let store = try SQLiteMailStore(dataDirectory: url)
            files.expectAllSynced("open")
            let account = try await MailStoreConformance.makeAccount(store)
            files.expectAllSynced("create account")
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let before = files.wal.syncs
            for i in 0..<5 {
                _ = try await MailStoreConformance.append(store, account, inbox, MailStoreConformance.message(i))
                files.expectAllSynced("append \(i)")
            }
            #expect(files.wal.syncs >= before + 5, "one WAL sync per acknowledged append at least")
            _ = try await store.store(
                account: account, mailbox: inbox, uids: UIDSet([1, 2]), operation: .add,
                flags: MessageFlags(system: [.deleted]), unchangedSince: nil)
            files.expectAllSynced("store")
            #expect(try await store.expunge(account: account, mailbox: inbox, uids: nil) == [1, 2])
            files.expectAllSynced("expunge")
            _ = try await store.createMailbox(account: account, name: "Work", specialUse: nil)
            files.expectAllSynced("create mailbox")
            try await store.renameMailbox(account: account, from: "Work", to: "Play")
            files.expectAllSynced("rename mailbox")
            let trash = try await MailStoreConformance.mailboxID(store, account, "Trash")
            _ = try await store.copy(account: account, from: inbox, uids: UIDSet([3]), to: trash)
            files.expectAllSynced("copy")
            _ = try await store.move(account: account, from: inbox, uids: UIDSet([4]), to: trash)
            files.expectAllSynced("move")
            try await store.deleteMailbox(account: account, name: "Play")
            files.expectAllSynced("delete mailbox")

            // Concurrent writers share commits, and every shared commit is synced. (Checked once all
            // are answered: while one is answered the next batch may already be writing.)
            let batchesBefore = store.writeStatistics.transactions
            let syncsBefore = files.wal.syncs
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<32 {
                    group.addTask {
                        _ = try await MailStoreConformance.append(store, account, inbox, "concurrent \(i)")
                    }
                }
                try await group.waitForAll()
            }
            let batches = store.writeStatistics.transactions - batchesBefore
            #expect(files.wal.syncs - syncsBefore >= Int64(batches))
            files.expectAllSynced("concurrent appends")

            // A second opener (the CLI) writes durably too.
            let cli = try SQLiteMailStore(dataDirectory: url)
            _ = try await MailStoreConformance.makeAccount(cli, "bob")
            files.expectAllSynced("create account from a second opener")
            try await cli.deleteAccount(name: "bob")
            files.expectAllSynced("delete account")
        }
    }

    @Test func contentFilesAreUnlinkedOnlyAfterTheCommitIsSynced() async throws {
        try await withTemporaryDirectory { url in
            let files = Files(directory: url)
            let pool = try SQLiteMailStore.openWriterPool(
                path: url.appendingPathComponent("postern.sqlite").path,
                configuration: SQLiteMailStore.databaseConfiguration())
            let observed = ObservedUnlinks()
            let writer = GroupCommitWriter(pool: pool) { ids, _ in
                // What a power cut at the moment of the unlink would leave: the commit must be on disk.
                observed.record(ids: ids, unsyncedWALWrites: files.wal.unsynced_writes)
            }
            try await writer.write { db, effects in
                try db.execute(sql: "CREATE TABLE probe (x INTEGER)")
                try db.execute(sql: "INSERT INTO probe VALUES (1)")
                effects.unlinkBlobs = ["released"]
            }
            // An operation rolled back alone never releases its files.
            await #expect(throws: MailStoreError.self) {
                try await writer.write { db, effects in
                    try db.execute(sql: "INSERT INTO probe VALUES (2)")
                    effects.unlinkBlobs = ["kept"]
                    throw MailStoreError.mailboxNotFound
                }
            }
            let unlinks = observed.all
            #expect(unlinks.map(\.ids) == [["released"]])
            #expect(unlinks.allSatisfy { $0.unsyncedWALWrites == 0 })
            #expect(try await pool.read { db in try Int.fetchAll(db, sql: "SELECT x FROM probe") } == [1])
        }
    }

    @Test func expungedContentFileIsGoneOnceTheExpungeIsAcknowledged() async throws {
        try await withTemporaryDirectory { url in
            let store = try SQLiteMailStore(dataDirectory: url)
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            _ = try await MailStoreConformance.append(store, account, inbox, "one")
            let blob = try #require(
                try await store.read("blob") { db in
                    try String.fetchOne(db, sql: "SELECT blob FROM messages")
                })
            let path = store.blobs.path(of: blob)
            #expect(FileManager.default.fileExists(atPath: path))
            _ = try await store.store(
                account: account, mailbox: inbox, uids: UIDSet([1]), operation: .add,
                flags: MessageFlags(system: [.deleted]), unchangedSince: nil)
            _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// UIDNEXT, HIGHESTMODSEQ and UIDVALIDITY come back as they were acknowledged after a reopen, and a
    /// UIDVALIDITY once given is never given again (mailbox or account deleted and made again).
    @Test func countersNeverGoBack() async throws {
        try await withTemporaryDirectory { url in
            var seenValidities: Set<UIDValidity> = []
            let status: MailboxStatus
            do {
                let store = try SQLiteMailStore(dataDirectory: url)
                let account = try await MailStoreConformance.makeAccount(store)
                let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
                _ = try await MailStoreConformance.fill(store, account, inbox, count: 3)
                _ = try await store.store(
                    account: account, mailbox: inbox, uids: UIDSet([1, 2, 3]), operation: .add,
                    flags: MessageFlags(system: [.deleted]), unchangedSince: nil)
                _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
                status = try await store.status(account: account, mailbox: inbox)
                for mailbox in try await store.listMailboxes(account: account) {
                    seenValidities.insert(mailbox.uidValidity)
                }
            }
            let store = try SQLiteMailStore(dataDirectory: url)
            let account = try #require(try await store.credentials(accountName: "alice")).0
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let reopened = try await store.status(account: account, mailbox: inbox)
            #expect(reopened.uidNext == status.uidNext && reopened.uidNext == 4)
            #expect(reopened.highestModSeq == status.highestModSeq)
            #expect(reopened.uidValidity == status.uidValidity)
            #expect(try await MailStoreConformance.append(store, account, inbox, "next").uid == 4)

            // The same account name made again at once: no mailbox reuses a UIDVALIDITY.
            try await store.deleteAccount(name: "alice")
            let again = try await MailStoreConformance.makeAccount(store)
            for mailbox in try await store.listMailboxes(account: again) {
                #expect(!seenValidities.contains(mailbox.uidValidity))
                seenValidities.insert(mailbox.uidValidity)
            }
            try await store.deleteMailbox(account: again, name: "Junk")
            let junk = try await store.createMailbox(account: again, name: "Junk", specialUse: nil)
            #expect(!seenValidities.contains(junk.uidValidity))
        }
    }
}

/// Unlinks seen by the group-commit writer's after-commit step, with the WAL state at that moment.
final class ObservedUnlinks: @unchecked Sendable {
    struct Unlink {
        var ids: [String]
        var unsyncedWALWrites: Int64
    }
    private let lock = NSLock()
    private var unlinks: [Unlink] = []

    func record(ids: [String], unsyncedWALWrites: Int64) {
        guard !ids.isEmpty else { return }
        lock.withLock { unlinks.append(Unlink(ids: ids, unsyncedWALWrites: unsyncedWALWrites)) }
    }

    var all: [Unlink] { lock.withLock { unlinks } }
}
