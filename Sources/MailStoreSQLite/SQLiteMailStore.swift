import Foundation
import GRDB
import Logging
import MailStore
import Synchronization

/// The embedded engine: metadata in `<data>/postern.sqlite` (GRDB `DatabasePool`, WAL,
/// `synchronous = FULL`, checked on open: see `SQLiteMailStore+Durability`), message content in
/// `<data>/blobs/`, staging in `<data>/tmp/`.
///
/// Several processes may open the same data directory (the server and the `postern` CLI): SQLite
/// serializes writers (busy timeout 5 s). Crash recovery on open (removing staged files and content
/// files no row references) only runs when no other process has the store open (see `DirectoryLock`).
public final class SQLiteMailStore: MailStore, AccountStore {
    public let dataDirectory: URL
    public let stagingDirectory: URL
    /// Wakes the sessions watching a mailbox after each committed change to it (see `GroupCommitWriter`).
    public let changeHub = ChangeHub()
    let pool: DatabasePool
    /// Read-only connections for inline reads only (see `read`). Separate from `pool` so that a thread
    /// waiting here for a free connection never waits on an async read, whose connection is only given
    /// back once its task resumes — possibly on that very thread (an event loop): a deadlock.
    let inlinePool: DatabasePool
    /// One read-only connection for the hottest one-row lookups (`pointRead`).
    let pointReader: DatabaseQueue
    let blobs: BlobFiles
    /// Content files of recently opened messages (see `ContentLocations`).
    let contentLocations = ContentLocations()
    /// Flags of recently used mailboxes (see `FlagIndexCache`).
    let flagIndexCache = FlagIndexCache()
    let writer: GroupCommitWriter
    /// Content files the search indexer could not read, left out of its later rounds (see `indexPending`).
    let unreadableContents = Mutex<Set<String>>([])
    /// Whether SEARCH asks the full-text index for candidates (see `searchIndexInUse`).
    let indexInUse = Atomic<Bool>(true)
    let logger: Logger
    private let lock: DirectoryLock
    /// Looks for accounts deleted, and (server) mailboxes changed, by another process (see `AccountWatch`).
    private let accountWatch: AccountWatch
    public let role: StoreRole
    /// The server's end of `ChangeAnnouncements` (set once, at the end of `init`).
    private let pokeListener = Mutex<ChangePokeListener?>(nil)

    /// Opens (creating if needed) the store in `dataDirectory`. `role`: see `ChangeAnnouncements`.
    public init(
        dataDirectory: URL, role: StoreRole = .tool, logger: Logger = Logger(label: "postern.mailstore")
    ) throws {
        self.dataDirectory = dataDirectory
        self.role = role
        self.logger = logger
        stagingDirectory = dataDirectory.appendingPathComponent("tmp", isDirectory: true)
        let blobs = BlobFiles(root: dataDirectory.appendingPathComponent("blobs", isDirectory: true))
        self.blobs = blobs
        try DurableFiles.makeDirectory(dataDirectory)
        try DurableFiles.makeDirectory(stagingDirectory)
        try DurableFiles.makeDirectory(blobs.root)

        let path = dataDirectory.appendingPathComponent("postern.sqlite").path
        let config = Self.databaseConfiguration()
        let pool: DatabasePool
        do {
            pool = try Self.openWriterPool(path: path, configuration: config)
        } catch {
            logger.error("mail store: cannot open database", metadata: ["error": "\(error)"])
            throw MailStoreError.internal("cannot open database: \(error)")
        }
        self.pool = pool
        var readConfig = config
        readConfig.readonly = true
        readConfig.maximumReaderCount = Self.inlineReaders
        do {
            inlinePool = try DatabasePool(path: path, configuration: readConfig)
            pointReader = try DatabaseQueue(path: path, configuration: readConfig)
        } catch {
            logger.error("mail store: cannot open database for reading", metadata: ["error": "\(error)"])
            throw MailStoreError.internal("cannot open database for reading: \(error)")
        }
        let hub = changeHub
        let locations = contentLocations
        let pokePath = ChangeAnnouncements.socketPath(dataDirectory)
        let isTool = role == .tool
        writer = GroupCommitWriter(
            pool: pool, beforeCommit: isTool ? ChangeAnnouncements.record : nil,
            afterCommit: { freed, changed in
                // A file a retained expunged message still needs is unlinked once it is let go. That
                // may happen in a session's task on an event loop, so the unlink runs on a queue.
                let ids = hub.retention.deferUnlink(freed) { blob in
                    DispatchQueue.global().async {
                        blobs.remove([blob])
                        locations.forget([], unlinked: [blob])
                    }
                }
                blobs.remove(ids)
                locations.forget(changed, unlinked: ids)
                for mailbox in changed { hub.publish(mailbox: mailbox) }
                if isTool && !changed.isEmpty { ChangeAnnouncements.poke(pokePath) }
            })
        let staging = stagingDirectory
        lock = try DirectoryLock(url: dataDirectory.appendingPathComponent("postern.lock")) {
            try Self.recover(pool: pool, blobs: blobs, staging: staging, logger: logger)
        }
        let changeLogEnd: Int64
        do {
            accountWatch = AccountWatch(initial: try pointReader.read { db in try Self.accountsDeletedCounter(db) })
            changeLogEnd = try pointReader.read { db in try Self.changeLogEnd(db) }
        } catch {
            throw MailStoreError.internal("cannot read the store's state: \(error)")
        }
        guard role == .server else {
            accountWatch.start { [weak self] seen in self?.checkDeletedAccounts(seen: seen) }
            return
        }
        let changesSeen = Mutex(changeLogEnd)
        let checkChanges: @Sendable () -> Void = { [weak self] in
            guard let self else { return }
            changesSeen.withLock { seen in seen = self.publishLoggedChanges(seen: seen) }
        }
        let listener = ChangePokeListener(path: pokePath, check: checkChanges)
        pokeListener.withLock { $0 = listener }
        accountWatch.start { [weak self] seen in
            checkChanges()
            return self?.checkDeletedAccounts(seen: seen)
        }
    }

    /// Removes leftovers of a crash: every staged file, every content file no row references (and
    /// any parse result or search document of such content, which transactions already remove with the
    /// last reference).
    private static func recover(pool: DatabasePool, blobs: BlobFiles, staging: URL, logger: Logger) throws {
        let fm = FileManager.default
        let staged = (try? fm.contentsOfDirectory(atPath: staging.path)) ?? []
        for name in staged {
            try? fm.removeItem(at: staging.appendingPathComponent(name))
        }
        let referenced: Set<String>
        do {
            referenced = try pool.write { db in
                try db.cachedStatement(sql: "DELETE FROM structures WHERE blob NOT IN (SELECT blob FROM messages)")
                    .execute()
                try forgetUnreferencedSearchDocuments(db)
                return try Set(String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT blob FROM messages")))
            }
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

    /// Closes the store once nothing uses it any more (a server's sessions have ended): stops looking
    /// for deleted accounts, moves the write-ahead log into the database (so the next open has none to
    /// replay) and closes every database connection, waiting for any operation still running on one.
    /// Later operations fail. Problems are logged, never thrown: by now
    /// every acknowledged change is already durable.
    public func close() {
        accountWatch.stop()
        pokeListener.withLock { $0 }?.stop()
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            logger.notice("mail store: no checkpoint on close", metadata: ["error": "\(error)"])
        }
        let connections: [(String, any DatabaseReader)] = [
            ("point reader", pointReader), ("inline readers", inlinePool), ("database", pool),
        ]
        for (name, connection) in connections {
            do {
                try connection.close()
            } catch {
                logger.warning("mail store: cannot close the \(name)", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Number of rows of a table (for tests: e.g. that parse results leave with their content).
    func rowCount(_ table: String) async throws -> Int {
        try await read("count", rows: .max) { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    // MARK: Helpers shared by the extensions

    /// Runs `body`, letting `MailStoreError`s through and turning anything else (SQLite, I/O) into
    /// `.internal` after logging it: clients never see internals.
    func guarded<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw storeError(what, error)
        }
    }

    /// The error a caller sees: `MailStoreError`s as they are (internal ones logged), anything else
    /// logged and turned into `.internal`.
    private func storeError(_ what: String, _ error: any Error) -> any Error {
        // A refusal of a script or metadata call is the caller's to answer, like a non-internal MailStoreError.
        if let error = error as? SieveScriptError { return error }
        if let error = error as? MetadataError { return error }
        if let error = error as? MailStoreError {
            if case .internal(let message) = error {
                logger.error("mail store: \(what) failed", metadata: ["error": "\(message)"])
            }
            return error
        }
        logger.error("mail store: \(what) failed", metadata: ["error": "\(error)"])
        return MailStoreError.internal("\(what): \(error)")
    }

    /// Reads expected to visit at most this many rows run inline, on the caller's thread.
    static let inlineReadRowLimit = 1024
    /// Connections of `inlinePool`: at least one per event-loop thread, so they rarely wait.
    static let inlineReaders = 8

    /// Runs a read transaction on a snapshot of the database.
    ///
    /// `rows` is how many rows the read may visit. A small read (most of them: a mailbox row, a
    /// few messages) runs inline on the calling thread — with the server's sessions that is their
    /// event loop (see `EventLoopTaskExecutor`), and a round trip through GRDB's reader queue and back
    /// cost more than the read itself (a profile of `Benchmarks/run.sh steady`). A larger read (a whole big mailbox) goes
    /// to GRDB's reader queue, so an event loop is never held for long. WAL readers never wait for
    /// the writer. Inline reads use their own connections (`inlinePool`): they never wait for an
    /// async read.
    ///
    /// `isolated: false` skips the read transaction (BEGIN/COMMIT cost more than a one-row query):
    /// each statement still sees a consistent database, but two statements may see different commits.
    /// Only for reads whose answer stays right either way (a lookup, rows of given UIDs).
    func read<T: Sendable>(
        _ what: String, rows: Int = 1, isolated: Bool = true, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        if rows <= Self.inlineReadRowLimit {
            do {
                return try Self.readNow(inlinePool, isolated: isolated, body)
            } catch {
                throw storeError(what, error)
            }
        }
        return try await guarded(what) { try await pool.read(body) }
    }

    /// GRDB's synchronous read (from an async function, the async overload would be chosen).
    private static func readNow<T>(
        _ pool: DatabasePool, isolated: Bool, _ body: (Database) throws -> T
    ) throws -> T {
        isolated ? try pool.read(body) : try pool.unsafeRead(body)
    }

    /// A one-statement lookup on the caller's thread through `pointReader`, a single connection kept
    /// open outside any pool.
    ///
    /// What it buys (`Benchmarks/run.sh bigmailbox`, time to the first byte of a large message): an
    /// inline read through `inlinePool` first checks a connection out of GRDB's pool and runs `PRAGMA
    /// schema_version` (GRDB's check before every read outside a transaction), so a one-row lookup runs
    /// two statements, each its own read transaction with its locks, and cold after a large message
    /// went through the caches. A `DatabaseQueue`'s `inDatabase` runs the statement alone. The schema
    /// only changes at startup, before this connection opens. Callers are serialised on it: only
    /// statements that visit one or two rows belong here.
    func pointRead<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pointReader.inDatabase(body)
        } catch {
            throw storeError(what, error)
        }
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
                db.cachedStatement(sql: "SELECT \(MailboxRow.columns) FROM mailboxes WHERE id = ? AND account_id = ?"),
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
            db.cachedStatement(sql: "SELECT \(MailboxRow.columns) FROM mailboxes WHERE account_id = ? AND name = ?"),
            arguments: [account, name]
        ).map(MailboxRow.init(row:))
    }

    static func requireAccount(_ db: Database, _ account: AccountID) throws {
        guard
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM accounts WHERE id = ?"), arguments: [account])
                != nil
        else {
            throw MailStoreError.accountNotFound
        }
    }

    /// Of `candidates`, the content files no message references any more (inside the transaction
    /// that removed the references, so the answer holds once it commits). Their parse results are
    /// deleted here, in the same transaction.
    static func unreferenced(_ db: Database, _ candidates: Set<String>) throws -> [String] {
        let gone = try candidates.sorted().filter { blob in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM messages WHERE blob = ? LIMIT 1"), arguments: [blob]) == nil
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM structures WHERE blob = ?")
        for blob in gone { try delete.execute(arguments: [blob]) }
        try forgetSearchDocuments(db, blobs: gone)
        return gone
    }

    /// Rows of `uids` in the mailbox, ascending.
    static func messageRows(_ db: Database, mailbox: MailboxID, uids: UIDSet) throws -> [MessageRow] {
        try selectByUID(
            db, mailbox: mailbox, uids: uids,
            sql: "SELECT \(MessageRow.columns) FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid",
            map: MessageRow.init(row:))
    }

    /// Runs `sql` (whose arguments are mailbox, lowest and highest UID, and whose first column is the
    /// UID) for the UIDs of `uids`. A few ranges become range queries on the primary key; a set of
    /// many ranges is answered by one scan over its span, filtered in memory. Rows are in the order
    /// `sql` gives within each range, ranges ascending.
    static func selectByUID<T>(
        _ db: Database, mailbox: MailboxID, uids: UIDSet, sql: String, map: (Row) throws -> T
    ) throws -> [T] {
        guard let first = uids.ranges.first, let last = uids.ranges.last else { return [] }
        var result: [T] = []
        if uids.ranges.count <= 32 {
            let statement = try db.cachedStatement(sql: sql)
            for range in uids.ranges {
                let cursor = try Row.fetchCursor(
                    statement, arguments: [mailbox, Int64(range.lowerBound), Int64(range.upperBound)])
                while let row = try cursor.next() { result.append(try map(row)) }
            }
            return result
        }
        let cursor = try Row.fetchCursor(
            db.cachedStatement(sql: sql), arguments: [mailbox, Int64(first.lowerBound), Int64(last.upperBound)])
        while let row = try cursor.next() {
            let uid = UID(truncatingIfNeeded: row[0] as Int64)
            if uids.contains(uid) { result.append(try map(row)) }
        }
        return result
    }

    /// The next UIDVALIDITY for a mailbox of `account`: max(now, largest ever given + 1), store-wide,
    /// so a value once given is never given again (not after a mailbox or an account was deleted and
    /// made again, nor after the clock went back).
    static func nextUIDValidity(_ db: Database, account: AccountID) throws -> UIDValidity {
        try requireAccount(db, account)
        let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT last_uidvalidity FROM store_state")) ?? 0
        let next = max(Int64(Date().timeIntervalSince1970), last + 1)
        guard next <= Int64(UInt32.max) else { throw MailStoreError.internal("UIDVALIDITY space exhausted") }
        try db.cachedStatement(sql: "UPDATE store_state SET last_uidvalidity = ?").execute(arguments: [next])
        // Kept up to date for a binary of an earlier schema that reads it.
        try db.cachedStatement(sql: "UPDATE accounts SET last_uidvalidity = ? WHERE id = ?").execute(
            arguments: [next, account])
        return UIDValidity(next)
    }
}

extension SQLiteMailStore {
    public func stageMessage(maxSize: Int) throws -> StagedMessageWriter {
        try MessageStaging(directory: stagingDirectory, maxSize: maxSize).begin()
    }
}
