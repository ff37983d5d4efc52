import Foundation
import GRDB
import Logging
import MailStore

/// The embedded engine: metadata in `<data>/postern.sqlite` (GRDB `DatabasePool`, WAL,
/// `synchronous = FULL`), message content in `<data>/blobs/`, staging in `<data>/tmp/`.
///
/// Several processes may open the same data directory (the server and the `postern` CLI): SQLite
/// serializes writers (busy timeout 5 s). Crash recovery on open (removing staged files and content
/// files no row references) only runs when no other process has the store open (see `DirectoryLock`).
public final class SQLiteMailStore: MailStore {
    public let dataDirectory: URL
    public let stagingDirectory: URL
    let pool: DatabasePool
    let blobs: BlobFiles
    let writer: GroupCommitWriter
    let logger: Logger
    private let lock: DirectoryLock

    /// Opens (creating if needed) the store in `dataDirectory`.
    public init(dataDirectory: URL, logger: Logger = Logger(label: "postern.mailstore")) throws {
        self.dataDirectory = dataDirectory
        self.logger = logger
        stagingDirectory = dataDirectory.appendingPathComponent("tmp", isDirectory: true)
        let blobs = BlobFiles(root: dataDirectory.appendingPathComponent("blobs", isDirectory: true))
        self.blobs = blobs
        try BlobFiles.makeDirectory(dataDirectory)
        try BlobFiles.makeDirectory(stagingDirectory)
        try BlobFiles.makeDirectory(blobs.root)

        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        config.label = "postern"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(
                path: dataDirectory.appendingPathComponent("postern.sqlite").path, configuration: config)
            try Schema.migrator.migrate(pool)
        } catch {
            logger.error("mail store: cannot open database", metadata: ["error": "\(error)"])
            throw MailStoreError.internal("cannot open database: \(error)")
        }
        self.pool = pool
        writer = GroupCommitWriter(pool: pool) { ids in blobs.remove(ids) }
        let staging = stagingDirectory
        lock = try DirectoryLock(url: dataDirectory.appendingPathComponent("postern.lock")) {
            try Self.recover(pool: pool, blobs: blobs, staging: staging, logger: logger)
        }
    }

    /// Removes leftovers of a crash: every staged file, and every content file no row references.
    private static func recover(pool: DatabasePool, blobs: BlobFiles, staging: URL, logger: Logger) throws {
        let fm = FileManager.default
        let staged = (try? fm.contentsOfDirectory(atPath: staging.path)) ?? []
        for name in staged {
            try? fm.removeItem(at: staging.appendingPathComponent(name))
        }
        let referenced: Set<String>
        do {
            referenced = try pool.read { db in try Set(String.fetchAll(db, sql: "SELECT DISTINCT blob FROM messages")) }
        } catch {
            throw MailStoreError.internal("recovery: \(error)")
        }
        let orphans = blobs.allIDs().filter { !referenced.contains($0) }
        blobs.remove(orphans)
        if !staged.isEmpty || !orphans.isEmpty {
            logger.notice(
                "mail store: crash recovery",
                metadata: ["stagedRemoved": "\(staged.count)", "orphanBlobsRemoved": "\(orphans.count)"])
        }
    }

    /// (transactions, write operations) run by the group-commit writer since open.
    public var writeStatistics: (transactions: Int, operations: Int) {
        let s = writer.statistics
        return (s.batches, s.operations)
    }

    // MARK: Helpers shared by the extensions

    /// Runs `body`, letting `MailStoreError`s through and turning anything else (SQLite, I/O) into
    /// `.internal` after logging it: clients never see internals.
    func guarded<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MailStoreError {
            if case .internal(let message) = error {
                logger.error("mail store: \(what) failed", metadata: ["error": "\(message)"])
            }
            throw error
        } catch {
            logger.error("mail store: \(what) failed", metadata: ["error": "\(error)"])
            throw MailStoreError.internal("\(what): \(error)")
        }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await guarded(what) { try await pool.read(body) }
    }

    func write<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (Database, inout GroupCommitWriter.Effects) throws -> T
    ) async throws -> T {
        try await guarded(what) { try await writer.write(body) }
    }
}

// MARK: Row helpers used inside transactions

extension SQLiteMailStore {
    static func mailboxRow(_ db: Database, account: AccountID, id: MailboxID) throws -> MailboxRow {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(MailboxRow.columns) FROM mailboxes WHERE id = ? AND account_id = ?",
                arguments: [id, account])
        else { throw MailStoreError.mailboxNotFound }
        return MailboxRow(row: row)
    }

    /// The mailbox, which must be selectable (not a \Noselect placeholder).
    static func selectableMailbox(_ db: Database, account: AccountID, id: MailboxID) throws -> MailboxRow {
        let mailbox = try mailboxRow(db, account: account, id: id)
        if mailbox.isNoSelect { throw MailStoreError.noSelect }
        return mailbox
    }

    static func mailboxRow(_ db: Database, account: AccountID, name: String) throws -> MailboxRow? {
        try Row.fetchOne(
            db, sql: "SELECT \(MailboxRow.columns) FROM mailboxes WHERE account_id = ? AND name = ?",
            arguments: [account, name]
        ).map(MailboxRow.init(row:))
    }

    static func requireAccount(_ db: Database, _ account: AccountID) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE id = ?", arguments: [account]) != nil else {
            throw MailStoreError.accountNotFound
        }
    }

    /// Of `candidates`, the content files no message references any more (inside the transaction
    /// that removed the references, so the answer holds once it commits).
    static func unreferenced(_ db: Database, _ candidates: Set<String>) throws -> [String] {
        try candidates.filter { blob in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM messages WHERE blob = ? LIMIT 1", arguments: [blob]) == nil
        }
    }

    /// Rows of `uids` in the mailbox, ascending. A few ranges become range queries on the primary key;
    /// a set of many ranges is answered by one scan over its span, filtered in memory.
    static func messageRows(_ db: Database, mailbox: MailboxID, uids: UIDSet) throws -> [MessageRow] {
        guard let first = uids.ranges.first, let last = uids.ranges.last else { return [] }
        let sql = "SELECT \(MessageRow.columns) FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid"
        if uids.ranges.count <= 32 {
            var rows: [MessageRow] = []
            for range in uids.ranges {
                let fetched = try Row.fetchAll(
                    db, sql: sql, arguments: [mailbox, Int64(range.lowerBound), Int64(range.upperBound)])
                rows.append(contentsOf: fetched.map(MessageRow.init(row:)))
            }
            return rows
        }
        let cursor = try Row.fetchCursor(
            db, sql: sql, arguments: [mailbox, Int64(first.lowerBound), Int64(last.upperBound)])
        var rows: [MessageRow] = []
        while let row = try cursor.next() {
            let uid = UID(truncatingIfNeeded: row["uid"] as Int64)
            if uids.contains(uid) { rows.append(MessageRow(row: row)) }
        }
        return rows
    }

    /// The next UIDVALIDITY for a mailbox of `account`: max(now, previous + 1), remembered per account.
    static func nextUIDValidity(_ db: Database, account: AccountID) throws -> UIDValidity {
        guard let last = try Int64.fetchOne(
            db, sql: "SELECT last_uidvalidity FROM accounts WHERE id = ?", arguments: [account])
        else { throw MailStoreError.accountNotFound }
        let now = Int64(Date().timeIntervalSince1970)
        let next = max(now, last + 1)
        guard next <= Int64(UInt32.max) else { throw MailStoreError.internal("UIDVALIDITY space exhausted") }
        try db.execute(
            sql: "UPDATE accounts SET last_uidvalidity = ? WHERE id = ?", arguments: [next, account])
        return UIDValidity(next)
    }
}
