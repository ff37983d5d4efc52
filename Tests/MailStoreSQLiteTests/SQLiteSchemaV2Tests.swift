import Foundation
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// Schema v2 on the SQLite engine: the in-place upgrade, content files around MULTIAPPEND and MOVE,
/// parse results kept per content file.
@Suite struct SQLiteSchemaV2Tests {
    let blobA = "ab" + String(repeating: "1", count: 30)
    let blobB = "cd" + String(repeating: "2", count: 30)

    func writeBlob(_ id: String, _ text: String, in data: URL) throws {
        let shard = data.appendingPathComponent("blobs/\(id.prefix(2))")
        try FileManager.default.createDirectory(at: shard, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: shard.appendingPathComponent(id))
    }

    func blobCount(_ store: SQLiteMailStore) -> Int {
        let root = store.dataDirectory.appendingPathComponent("blobs")
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return shards.reduce(0) {
            $0
                + ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent($1).path))?.count
                    ?? 0)
        }
    }

    /// A database as release v1 left it opens, upgrades in place and keeps everything.
    @Test func upgradeFromV1() async throws {
        try await withTemporaryDirectory { url in
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v1",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created, last_uidvalidity)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000, 5000);
                    INSERT INTO mailboxes (id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid)
                        VALUES (1, 1, 'INBOX', 5000, 4, 6, 4);
                    INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, size, blob) VALUES
                        (1, 1, 2, 1, 'Work', 1600000000, 5, '\(blobA)'),
                        (1, 3, 5, 0, '', 1600000100, 6, '\(blobB)');
                    INSERT INTO expunged (mailbox_id, uid, modseq) VALUES (1, 2, 6);
                    """)
            try writeBlob(blobA, "hello", in: url)
            try writeBlob(blobB, "world!", in: url)
            do {
                let store = try SQLiteMailStore(dataDirectory: url)
                let metas = try await store.messages(account: 1, mailbox: 1, uids: UIDSet(ranges: [1...10]))
                #expect(metas.map(\.uid) == [1, 3])
                #expect(metas.map(\.saveDate) == metas.map(\.internalDate), "old rows: SAVEDATE = internal date")
                #expect(metas.map(\.emailID) == ["E" + blobA, "E" + blobB])
                #expect(metas[0].flags == MessageFlags(system: .seen, keywords: ["Work"]) && metas[0].modSeq == 2)
                #expect(try await store.content(account: 1, mailbox: 1, uid: 3) == Data("world!".utf8))
                let changes = try await store.changes(account: 1, mailbox: 1, since: 4)
                #expect(changes.changed.map(\.uid) == [3] && changes.expunged == [2] && changes.highestModSeq == 6)
                #expect(try await store.structures(account: 1, mailbox: 1, uids: UIDSet(ranges: [1...10])).isEmpty)
                // Writes work on the upgraded schema.
                let added = try await MailStoreConformance.append(store, 1, 1, "new")
                #expect(added == AppendResult(uidValidity: 5000, uid: 4))
                try await store.setStructure(
                    account: 1, mailbox: 1, uid: 1, structure: MessageStructure(version: 1, data: [9]))
                let moved = try await store.move(
                    account: 1, from: 1, uids: UIDSet([1]),
                    to: try MailStoreConformance.mailboxID(
                        store, 1, (try await store.createMailbox(account: 1, name: "Kept", specialUse: nil)).name))
                #expect(moved.expunged == [1])
            }
            // Reopening (migrations already applied) keeps the data.
            let store = try SQLiteMailStore(dataDirectory: url)
            let kept = try #require(try await store.mailbox(account: 1, name: "Kept"))
            let meta = try await store.messages(account: 1, mailbox: kept.id, uids: UIDSet([1]))
            #expect(
                meta.first?.emailID == "E" + blobA
                    && meta.first?.internalDate == Date(timeIntervalSince1970: 1_600_000_000))
            #expect(try await store.structures(account: 1, mailbox: kept.id, uids: UIDSet([1]))[1]?.data == [9])
            #expect(try await store.content(account: 1, mailbox: kept.id, uid: 1) == Data("hello".utf8))
        }
    }

    /// A v4 database's stored renderings are copied per message by the v5 upgrade (both messages of a
    /// shared content get theirs), and parse results without a rendering give none.
    @Test func upgradeFromV4FillsRenderings() async throws {
        try await withTemporaryDirectory { url in
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v4",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created, last_uidvalidity)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000, 5000);
                    INSERT INTO mailboxes (id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid)
                        VALUES (1, 1, 'INBOX', 5000, 4, 6, 4), (2, 1, 'Other', 5001, 2, 1, 2);
                    INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, save_date, size, blob)
                        VALUES (1, 1, 2, 1, '', 1600000000, 1600000000, 5, '\(blobA)'),
                        (1, 3, 5, 0, '', 1600000100, 1600000100, 6, '\(blobB)'),
                        (2, 1, 1, 0, '', 1600000000, 1600000000, 5, '\(blobA)');
                    INSERT INTO structures (blob, version, data, rendered_version, envelope, body, bodystructure)
                        VALUES ('\(blobA)', 7, x'01', 2, x'454e56', x'424f4459', x'4253'),
                        ('\(blobB)', 7, x'02', NULL, NULL, NULL, NULL);
                    """)
            try writeBlob(blobA, "hello", in: url)
            try writeBlob(blobB, "world!", in: url)
            let store = try SQLiteMailStore(dataDirectory: url)
            for mailbox: MailboxID in [1, 2] {
                let batch = try await store.derivedTexts(account: 1, mailbox: mailbox, uids: UIDSet(ranges: [1...10]))
                #expect(batch.entries.map(\.uid) == [1])
                #expect(batch.entries.map(\.structureVersion) == [7] && batch.entries.map(\.version) == [2])
                if let entry = batch.entries.first {
                    #expect(Array(batch.bytes[batch.range(entry, 0)]) == Array("ENV".utf8))
                    #expect(Array(batch.bytes[batch.range(entry, 1)]) == Array("BODY".utf8))
                    #expect(Array(batch.bytes[batch.range(entry, 2)]) == Array("BS".utf8))
                }
            }
        }
    }

    /// A failed MULTIAPPEND leaves no content file and no staged file behind.
    @Test func failedMultiAppendLeavesNoFiles() async throws {
        try await withSQLiteStore { store in
            let account = try await MailStoreConformance.makeAccount(store)
            let box = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            _ = try await MailStoreConformance.fill(store, account, box, count: 2)
            let batch = try (1...5).map { try MailStoreConformance.staged(store, $0) }
            batch[4].message.discard()
            await MailStoreConformance.expectError(.internal("")) {
                try await store.append(account: account, mailbox: box, messages: batch)
            }
            #expect(blobCount(store) == 2)
            let refused = try (1...3).map { try MailStoreConformance.staged(store, $0) }
            await MailStoreConformance.expectError(.mailboxNotFound) {
                try await store.append(account: account, mailbox: 424_242, messages: refused)
            }
            #expect(blobCount(store) == 2)
            #expect(MailStoreConformance.stagingIsEmpty(store))
            // A multi-append is one transaction.
            let before = store.writeStatistics
            let good = try (1...5).map { try MailStoreConformance.staged(store, $0) }
            _ = try await store.append(account: account, mailbox: box, messages: good)
            #expect(store.writeStatistics.transactions == before.transactions + 1)
            #expect(blobCount(store) == 7)
        }
    }

    /// Parse results belong to the content: copies and moves share them, and they leave with the last
    /// message that refers to the content (as the content file does).
    @Test func structuresFollowContent() async throws {
        try await withSQLiteStore { store in
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let trash = try await MailStoreConformance.mailboxID(store, account, "Trash")
            let shape = MessageStructure(version: 1, data: [1, 2])
            _ = try await store.append(
                account: account, mailbox: inbox,
                messages: [try MailStoreConformance.staged(store, 1, structure: shape)])
            _ = try await store.copy(account: account, from: inbox, uids: UIDSet([1]), to: trash)
            #expect(try await store.structures(account: account, mailbox: trash, uids: UIDSet([1])) == [1: shape])
            _ = try await store.move(account: account, from: trash, uids: UIDSet([1]), to: trash)
            #expect(try await store.structures(account: account, mailbox: trash, uids: UIDSet([1, 2])) == [2: shape])
            #expect(blobCount(store) == 1)
            #expect(try await store.rowCount("structures") == 1)
            _ = try await store.store(
                account: account, mailbox: inbox, uids: UIDSet([1]), operation: .add, flags: .deleted,
                unchangedSince: nil)
            _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
            #expect(try await store.rowCount("structures") == 1, "still referenced from Trash")
            try await store.deleteMailbox(account: account, name: "Trash")
            #expect(try await store.rowCount("structures") == 0)
            #expect(blobCount(store) == 0)
        }
    }

    /// `structures` over 12,000 messages: one range, and a set of 4,000 ranges (printed, not asserted).
    @Test func structuresForManyMessages() async throws {
        let count = 12_000
        try await withTemporaryDirectory { url in
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v2",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000);
                    INSERT INTO mailboxes (id, account_id, name, uidvalidity, uidnext, highestmodseq)
                        VALUES (1, 1, 'INBOX', 5000, \(count + 1), 2);
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
                    INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, save_date, size, blob)
                        SELECT 1, i, 2, 0, '', 1600000000, 1600000000, 10, printf('%032x', i) FROM n;
                    WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 2 FROM n WHERE i < \(count))
                    INSERT INTO structures (blob, version, data) SELECT printf('%032x', i), 1, zeroblob(300) FROM n;
                    """)
            let store = try SQLiteMailStore(dataDirectory: url)
            #expect(try await store.status(account: 1, mailbox: 1).messages == count)
            let clock = ContinuousClock()
            var all: [UID: MessageStructure] = [:]
            let whole = try await clock.measure {
                all = try await store.structures(account: 1, mailbox: 1, uids: UIDSet(ranges: [1...UID.max]))
            }
            #expect(all.count == count / 2 && all[2]?.data.count == 300 && all[1] == nil)
            let scattered = UIDSet((1...UID(count)).filter { $0 % 3 == 0 })
            var some: [UID: MessageStructure] = [:]
            let sparse = try await clock.measure {
                some = try await store.structures(account: 1, mailbox: 1, uids: scattered)
            }
            #expect(some.count == count / 6 && some.keys.allSatisfy { $0 % 6 == 0 })
            var metas: [MessageMeta] = []
            let meta = try await clock.measure {
                metas = try await store.messages(account: 1, mailbox: 1, uids: scattered)
            }
            #expect(metas.count == count / 3)
            print(
                "structures: \(count) UIDs in \(whole), 4000 ranges in \(sparse); messages for 4000 ranges in \(meta)")
        }
    }
}
