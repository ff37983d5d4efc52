import Foundation
import GRDB
import MailStore
import Synchronization

/// The full-text index (schema v14): FTS5 trigram documents per content file, made in the background
/// (`SearchIndexer`), looked up by `searchCandidates`.
extension SQLiteMailStore {
    /// One content file to index: its id and, unless its document exists already, the document made.
    private struct Indexed: Sendable {
        var blob: String
        var document: [UInt8]?
    }

    /// Whether `searchCandidates` consults the index. A server that does not keep the index (`search_index`
    /// off) turns it off: with most messages unindexed the lookup would name nearly all of them as
    /// candidates, so SEARCH reads every message anyway and the query is pure cost.
    public var searchIndexInUse: Bool {
        get { indexInUse.load(ordering: .relaxed) }
        set { indexInUse.store(newValue, ordering: .relaxed) }
    }

    /// Nil (every message a candidate) when the index is not in use (`searchIndexInUse`). Otherwise:
    /// messages not indexed yet and those whose document was too large count as candidates whatever the
    /// terms; the others when their document holds every piece of every term (an FTS5 query of the
    /// pieces joined by AND: `detail = none` keeps no positions, so no phrase queries).
    public func searchCandidates(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, terms: [[UInt8]]
    ) async throws -> [UID]? {
        guard searchIndexInUse else { return nil }
        let pieces = terms.flatMap(SearchTerms.trigrams)
        guard !pieces.isEmpty, let first = uids.ranges.first, let last = uids.ranges.last else { return nil }
        let query = pieces.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            .joined(separator: " AND ")
        return try await read("search candidates", rows: uids.count) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            let cursor = try Int64.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT uid FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ?
                            AND (search_doc IS NULL
                                OR search_doc IN (SELECT rowid FROM search_text WHERE search_text MATCH ?)
                                OR search_doc IN (SELECT id FROM search_docs WHERE complete = 0))
                            ORDER BY uid
                        """),
                arguments: [mailbox, Int64(first.lowerBound), Int64(last.upperBound), query])
            var found: [UID] = []
            while let value = try cursor.next() {
                let uid = UID(truncatingIfNeeded: value)
                if uids.ranges.count == 1 || uids.contains(uid) { found.append(uid) }
            }
            return found
        }
    }

    /// Reads the content files of up to `limit` messages without a document (outside any transaction),
    /// makes their documents, then stores them and links every message of each content in one write.
    /// A content whose document another message already brought (a copy) is only linked.
    public func indexPending(account: AccountID?, limit: Int, maker: SearchDocumentMaker) async throws -> Int {
        let skipped = unreadableContents.withLock { Array($0) }
        let version = maker.version
        let pending = try await read("pending search documents", rows: limit) { db in
            // Through the partial index of unindexed messages, named: without statistics the planner
            // would walk an account's messages by primary key past every indexed one, batch after batch.
            var sql = "SELECT m.blob, d.id FROM messages m INDEXED BY messages_unindexed"
            sql += " LEFT JOIN search_docs d ON d.blob = m.blob AND d.version = ?"
            var arguments: StatementArguments = [version]
            sql += " WHERE m.search_doc IS NULL"
            if let account {
                sql += " AND m.mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?)"
                arguments += [account]
            }
            if !skipped.isEmpty {
                sql += " AND m.blob NOT IN (\(skipped.map { _ in "?" }.joined(separator: ", ")))"
                arguments += StatementArguments(skipped)
            }
            // Oldest first (the partial index's order); copies of one content appear once.
            sql += " ORDER BY m.mailbox_id, m.uid LIMIT ?"
            arguments += [limit]
            var seen: Set<String> = []
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                let blob: String = row[0]
                return seen.insert(blob).inserted ? (blob: blob, known: (row[1] as Int64?) != nil) : nil
            }
        }
        guard !pending.isEmpty else { return 0 }
        var work: [Indexed] = []
        for item in pending {
            if item.known {
                work.append(Indexed(blob: item.blob, document: nil))
                continue
            }
            // An expunge may have removed the file meanwhile (then its message is gone too); any other
            // failure is remembered so that one bad file does not stop the others.
            guard let bytes = try? await blobs.openForReading(item.blob).readAll() else {
                unreadableContents.withLock { _ = $0.insert(item.blob) }
                continue
            }
            work.append(Indexed(blob: item.blob, document: maker.make(bytes)))
        }
        let items = work
        return try await write("index messages") { db, _ in
            var linked = 0
            for item in items {
                guard let id = try Self.storeSearchDocument(db, item.blob, item.document, version: version) else {
                    continue
                }
                try db.cachedStatement(sql: "UPDATE messages SET search_doc = ? WHERE blob = ? AND search_doc IS NULL")
                    .execute(arguments: [id, item.blob])
                linked += db.changesCount
            }
            return linked
        }
    }

    /// The id of the content's document, stored first when `document` is given; nil when no message
    /// references the content any more (expunged while its document was made).
    private static func storeSearchDocument(
        _ db: Database, _ blob: String, _ document: [UInt8]?, version: Int
    ) throws -> Int64? {
        guard
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM messages WHERE blob = ? LIMIT 1"), arguments: [blob]) != nil
        else { return nil }
        let existing = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM search_docs WHERE blob = ?"), arguments: [blob])
        if let existing { return existing }
        guard let document else { return nil }
        let complete = document.count <= SearchTerms.maxDocumentBytes
        try db.cachedStatement(
            sql: "INSERT INTO search_docs (blob, version, complete, bytes) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [blob, version, complete ? 1 : 0, complete ? document.count : 0])
        let id = db.lastInsertedRowID
        if complete {
            try db.cachedStatement(sql: "INSERT INTO search_text (rowid, text) VALUES (?, ?)").execute(
                arguments: [id, String(decoding: document, as: UTF8.self)])
        }
        return id
    }

    public func searchIndexStatus(account: AccountID) async throws -> SearchIndexStatus? {
        try await read("search index status", rows: .max) { db in
            try Self.requireAccount(db, account)
            let mine = "SELECT id FROM mailboxes WHERE account_id = ?"
            let counts = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(search_doc), count(*) - count(search_doc) FROM messages
                        WHERE mailbox_id IN (\(mine))
                    """, arguments: [account])
            let bytes = try Int.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(bytes), 0) FROM search_docs WHERE id IN
                        (SELECT search_doc FROM messages WHERE mailbox_id IN (\(mine)))
                    """, arguments: [account])
            return SearchIndexStatus(
                indexed: counts?[0] ?? 0, pending: counts?[1] ?? 0, documentBytes: bytes ?? 0)
        }
    }

    /// Unlinks the messages first, then drops the documents no message names any more.
    public func resetSearchIndex(account: AccountID?, otherThan version: Int?) async throws {
        if let version {
            let stale = try await read("search index versions") { db in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM search_docs WHERE version <> ? LIMIT 1", arguments: [version])
                    ?? false
            }
            guard stale else { return }
        }
        unreadableContents.withLock { $0.removeAll() }
        try await write("reset search index") { db, _ in
            if let account { try Self.requireAccount(db, account) }
            var sql = "UPDATE messages SET search_doc = NULL WHERE search_doc IS NOT NULL"
            var arguments: StatementArguments = []
            if let version {
                sql += " AND search_doc IN (SELECT id FROM search_docs WHERE version <> ?)"
                arguments += [version]
            }
            if let account {
                sql += " AND mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?)"
                arguments += [account]
            }
            try db.execute(sql: sql, arguments: arguments)
            try db.execute(
                sql: """
                    DELETE FROM search_text WHERE rowid NOT IN
                        (SELECT search_doc FROM messages WHERE search_doc IS NOT NULL);
                    DELETE FROM search_docs WHERE id NOT IN
                        (SELECT search_doc FROM messages WHERE search_doc IS NOT NULL);
                    """)
        }
    }

    /// Drops the documents of content files no message references (in the transaction that removed
    /// the last reference).
    static func forgetSearchDocuments(_ db: Database, blobs: [String]) throws {
        let text = try db.cachedStatement(
            sql: "DELETE FROM search_text WHERE rowid = (SELECT id FROM search_docs WHERE blob = ?)")
        let document = try db.cachedStatement(sql: "DELETE FROM search_docs WHERE blob = ?")
        for blob in blobs {
            try text.execute(arguments: [blob])
            try document.execute(arguments: [blob])
        }
    }

    /// Drops every document whose content no message references (crash recovery).
    static func forgetUnreferencedSearchDocuments(_ db: Database) throws {
        try db.execute(
            sql: """
                DELETE FROM search_text WHERE rowid IN
                    (SELECT id FROM search_docs WHERE blob NOT IN (SELECT blob FROM messages));
                DELETE FROM search_docs WHERE blob NOT IN (SELECT blob FROM messages);
                """)
    }
}
