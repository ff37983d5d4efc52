import Foundation
import GRDB
import MailStoreConformance
import Synchronization
import Testing

@testable import MailStore
@testable import MailStoreSQLite

/// The SQLite engine's full-text index: which messages it leaves as candidates, and that documents
/// come and go with their content.
@Suite struct SearchIndexTests {
    /// Documents of the whole message lowercased (ASCII), counting how many it made.
    final class CountingMaker: Sendable {
        let made = Atomic<Int>(0)
        var maker: SearchDocumentMaker { maker(version: 1) }

        func maker(version: Int) -> SearchDocumentMaker {
            SearchDocumentMaker(version: version) { bytes in
                self.made.add(1, ordering: .relaxed)
                return bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            }
        }
    }

    static let messages = [
        "Subject: apples\r\n\r\nRed apples and pears.\r\n",
        "Subject: pears\r\n\r\nOnly pears here.\r\n",
        "Subject: plums\r\n\r\nPlums, \"quoted\" words.\r\n",
    ]

    func setUp(_ store: SQLiteMailStore) async throws -> (AccountID, MailboxID, [UID]) {
        let account = try await MailStoreConformance.makeAccount(store)
        let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
        var uids: [UID] = []
        for text in Self.messages {
            uids.append(try await MailStoreConformance.append(store, account, inbox, text).uid)
        }
        return (account, inbox, uids)
    }

    func candidates(
        _ store: SQLiteMailStore, _ account: AccountID, _ inbox: MailboxID, _ terms: [String]
    ) async throws -> [UID]? {
        try await store.searchCandidates(
            account: account, mailbox: inbox, uids: UIDSet(ranges: [1...UID.max]), terms: terms.map { Array($0.utf8) })
    }

    @Test func unindexedMessagesAreCandidatesThenTheIndexNarrows() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, uids) = try await setUp(store)
            #expect(try await candidates(store, account, inbox, ["pears"]) == uids)
            let maker = CountingMaker()
            #expect(try await store.indexPending(account: nil, limit: 2, maker: maker.maker) == 2)
            // The third is not indexed yet: still a candidate of every search.
            #expect(try await candidates(store, account, inbox, ["pears"]) == uids)
            #expect(try await candidates(store, account, inbox, ["plums"]) == [uids[2]])
            #expect(try await store.indexPending(account: nil, limit: 10, maker: maker.maker) == 1)
            #expect(try await store.indexPending(account: nil, limit: 10, maker: maker.maker) == 0)
            #expect(try await candidates(store, account, inbox, ["pears"]) == [uids[0], uids[1]])
            #expect(try await candidates(store, account, inbox, ["pears", "red"]) == [uids[0]])
            #expect(try await candidates(store, account, inbox, ["\"quoted\""]) == [uids[2]])
            #expect(try await candidates(store, account, inbox, ["nowhere"]) == [])
            // Only some UIDs asked for.
            let some = try await store.searchCandidates(
                account: account, mailbox: inbox, uids: UIDSet([uids[0], uids[2]]), terms: [Array("pears".utf8)])
            #expect(some == [uids[0]])
            #expect(maker.made.load(ordering: .relaxed) == 3)
            let status = try await store.searchIndexStatus(account: account)
            #expect(status?.indexed == 3 && status?.pending == 0)
            #expect(status?.documentBytes == Self.messages.map(\.utf8.count).reduce(0, +))
        }
    }

    /// Terms shorter than three characters narrow nothing: the caller reads every message.
    @Test func shortTermsCannotNarrow() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, _) = try await setUp(store)
            _ = try await store.indexPending(account: nil, limit: 10, maker: CountingMaker().maker)
            #expect(try await candidates(store, account, inbox, ["pe"]) == nil)
            #expect(try await candidates(store, account, inbox, []) == nil)
            // A short term beside a long one: the long one narrows.
            #expect(try await candidates(store, account, inbox, ["pe", "plums"])?.count == 1)
        }
    }

    /// A server that does not keep the index (`search_index` off) does not ask it: no candidates query,
    /// every message a candidate, even where documents exist.
    @Test func anIndexNotInUseIsNotAsked() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, uids) = try await setUp(store)
            _ = try await store.indexPending(account: nil, limit: 10, maker: CountingMaker().maker)
            #expect(try await candidates(store, account, inbox, ["plums"]) == [uids[2]])
            store.searchIndexInUse = false
            #expect(try await candidates(store, account, inbox, ["plums"]) == nil)
            store.searchIndexInUse = true
            #expect(try await candidates(store, account, inbox, ["plums"]) == [uids[2]])
        }
    }

    @Test func otherAccountsMailboxIsNotFound() async throws {
        try await withSQLiteStore { store in
            let (_, inbox, _) = try await setUp(store)
            let bob = try await MailStoreConformance.makeAccount(store, "bob")
            await MailStoreConformance.expectError(.mailboxNotFound) {
                try await candidates(store, bob, inbox, ["pears"])
            }
        }
    }

    /// A copy shares its content's document: it is linked, not made again; documents leave with the
    /// last message of their content.
    @Test func copiesShareDocumentsAndExpungeRemovesThem() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, uids) = try await setUp(store)
            let maker = CountingMaker()
            _ = try await store.indexPending(account: nil, limit: 10, maker: maker.maker)
            let archive = try await MailStoreConformance.mailboxID(store, account, "Archive")
            _ = try await store.copy(account: account, from: inbox, uids: UIDSet([uids[0]]), to: archive)
            #expect(try await store.indexPending(account: nil, limit: 10, maker: maker.maker) == 1)
            #expect(maker.made.load(ordering: .relaxed) == 3)
            #expect(try await candidates(store, account, archive, ["apples"]) == [1])
            _ = try await store.store(
                account: account, mailbox: inbox, uids: UIDSet(uids), operation: .add,
                flags: MessageFlags(system: .deleted), unchangedSince: nil)
            _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
            // The copy keeps the first content's document; the other two are gone.
            #expect(try await store.rowCount("search_docs") == 1)
            #expect(try await store.rowCount("search_text") == 1)
            try await store.deleteMailbox(account: account, name: "Archive")
            #expect(try await store.rowCount("search_docs") == 0)
            #expect(try await store.rowCount("search_text") == 0)
        }
    }

    /// A document longer than the limit is not kept, and its message stays a candidate of every search.
    @Test func oversizedDocumentsLeaveTheirMessageACandidate() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, uids) = try await setUp(store)
            let huge = SearchDocumentMaker(version: 1) { bytes in
                bytes.count > 40 ? [UInt8](repeating: 0x61, count: SearchTerms.maxDocumentBytes + 1) : bytes
            }
            #expect(try await store.indexPending(account: nil, limit: 10, maker: huge) == 3)
            let big = uids.filter { Self.messages[Int($0) - 1].utf8.count > 40 }
            #expect(!big.isEmpty)
            #expect(try await candidates(store, account, inbox, ["zzzzz"]) == big)
            #expect(try await store.rowCount("search_text") == 3 - big.count)
        }
    }

    /// Documents of another maker version are dropped and made again; a reset of one account makes
    /// its documents again.
    @Test func resetsMakeDocumentsAgain() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, uids) = try await setUp(store)
            let maker = CountingMaker()
            _ = try await store.indexPending(account: nil, limit: 10, maker: maker.maker(version: 1))
            try await store.resetSearchIndex(account: nil, otherThan: 1)
            #expect(try await store.searchIndexStatus(account: account)?.pending == 0)
            try await store.resetSearchIndex(account: nil, otherThan: 2)
            #expect(try await store.searchIndexStatus(account: account)?.pending == 3)
            #expect(try await store.rowCount("search_docs") == 0)
            #expect(try await candidates(store, account, inbox, ["pears"]) == uids)
            _ = try await store.indexPending(account: account, limit: 10, maker: maker.maker(version: 2))
            try await store.resetSearchIndex(account: account, otherThan: nil)
            #expect(try await store.searchIndexStatus(account: account)?.indexed == 0)
            #expect(try await store.indexPending(account: account, limit: 10, maker: maker.maker(version: 2)) == 3)
            #expect(maker.made.load(ordering: .relaxed) == 9)
            await MailStoreConformance.expectError(.accountNotFound) {
                try await store.searchIndexStatus(account: AccountID(999))
            }
        }
    }

    /// A content file that cannot be read is left unindexed (its message stays a candidate) and does
    /// not stop the others.
    @Test func unreadableContentIsSkipped() async throws {
        try await withTemporaryDirectory { url in
            let store = try SQLiteMailStore(dataDirectory: url)
            let (account, inbox, uids) = try await setUp(store)
            let blobs = url.appendingPathComponent("blobs")
            let files =
                FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? []
            let victim = try #require(files.first)
            try FileManager.default.removeItem(at: victim)
            var total = 0
            for _ in 0..<4 {
                total += try await store.indexPending(account: nil, limit: 10, maker: CountingMaker().maker)
            }
            #expect(total == 2)
            let found = try #require(try await candidates(store, account, inbox, ["nowhere"]))
            #expect(found.count == 1 && uids.contains(found[0]))
        }
    }

    /// A store of an earlier version opens with every message not indexed yet (so searches read them all)
    /// until the indexer catches up; documents left by a crash without their content are dropped at open.
    @Test func upgradeLeavesEveryMessageToIndexAndRecoveryDropsOrphans() async throws {
        try await withTemporaryDirectory { url in
            let blobs = BlobFiles(root: url.appendingPathComponent("blobs", isDirectory: true))
            let ids = [BlobFiles.newID(), BlobFiles.newID()]
            for (id, text) in zip(ids, ["Subject: one\r\n\r\nwalnuts\r\n", "Subject: two\r\n\r\npecans\r\n"]) {
                let file = URL(fileURLWithPath: blobs.path(of: id))
                try FileManager.default.createDirectory(
                    at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: file)
            }
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v13",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created, last_uidvalidity)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000, 5000);
                    INSERT INTO mailboxes (id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid)
                        VALUES (1, 1, 'INBOX', 5000, 3, 3, 3);
                    INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, save_date, size, blob)
                        VALUES (1, 1, 2, 0, '', 1600000000, 1600000000, 27, '\(ids[0])'),
                        (1, 2, 3, 0, '', 1600000000, 1600000000, 26, '\(ids[1])');
                    """)
            do {
                let store = try SQLiteMailStore(dataDirectory: url)
                #expect(
                    try await store.searchIndexStatus(account: 1)
                        == SearchIndexStatus(indexed: 0, pending: 2, documentBytes: 0))
                #expect(try await candidates(store, 1, 1, ["pecans"]) == [1, 2])
                #expect(try await store.indexPending(account: nil, limit: 10, maker: CountingMaker().maker) == 2)
                #expect(try await candidates(store, 1, 1, ["pecans"]) == [2])
                store.close()
            }
            let writer = try DatabaseQueue(path: url.appendingPathComponent("postern.sqlite").path)
            try await writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO search_docs (blob, version, complete, bytes) VALUES ('gone', 1, 1, 3);
                        INSERT INTO search_text (rowid, text) VALUES (last_insert_rowid(), 'abc');
                        """)
            }
            try writer.close()
            let store = try SQLiteMailStore(dataDirectory: url)
            #expect(try await store.rowCount("search_docs") == 2)
            #expect(try await store.rowCount("search_text") == 2)
        }
    }

    /// Messages appended while an indexer runs get indexed without a call of their own.
    @Test func indexerFollowsAppends() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, _) = try await setUp(store)
            let indexer = SearchIndexer()
            indexer.start(store: store, maker: CountingMaker().maker)
            let late = try await MailStoreConformance.append(store, account, inbox, "Subject: late\r\n\r\nkiwis\r\n")
            var pending = 1
            for _ in 0..<200 where pending > 0 {
                try await Task.sleep(for: .milliseconds(50))
                pending = try await store.searchIndexStatus(account: account)?.pending ?? 1
            }
            await indexer.stop()
            #expect(pending == 0)
            #expect(try await candidates(store, account, inbox, ["kiwis"]) == [late.uid])
        }
    }

    /// An idle indexer sleeps until a change is published: an append made after it caught up is indexed long
    /// before its fallback wake-up.
    @Test func idleIndexerWakesOnAPublishedChange() async throws {
        try await withSQLiteStore { store in
            let (account, inbox, _) = try await setUp(store)
            let indexer = SearchIndexer()
            indexer.start(store: store, maker: CountingMaker().maker)
            var pending = 1
            for _ in 0..<200 where pending > 0 {
                try await Task.sleep(for: .milliseconds(50))
                pending = try await store.searchIndexStatus(account: account)?.pending ?? 1
            }
            #expect(pending == 0)
            let clock = ContinuousClock()
            let appended = clock.now
            let late = try await MailStoreConformance.append(store, account, inbox, "Subject: late\r\n\r\nfigs\r\n")
            pending = 1
            while pending > 0, clock.now - appended < SearchIndexer.idleFallback / 2 {
                try await Task.sleep(for: .milliseconds(20))
                pending = try await store.searchIndexStatus(account: account)?.pending ?? 1
            }
            await indexer.stop()
            #expect(pending == 0)
            #expect(try await candidates(store, account, inbox, ["figs"]) == [late.uid])
        }
    }

    /// The indexer's wake-up: kept when nobody waits, bounded by its limit, ended by cancellation.
    @Test func wakeSignal() async throws {
        let signal = WakeSignal()
        signal.notify()
        signal.notify()
        let clock = ContinuousClock()
        var start = clock.now
        await signal.wait(atMost: .seconds(60))
        #expect(clock.now - start < .seconds(30))
        start = clock.now
        await signal.wait(atMost: .milliseconds(50))
        #expect(clock.now - start >= .milliseconds(50))
        let waiting = Task { await signal.wait(atMost: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        start = clock.now
        await waiting.value
        #expect(clock.now - start < .seconds(30))
    }
}
