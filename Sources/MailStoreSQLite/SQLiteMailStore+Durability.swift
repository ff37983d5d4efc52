import Foundation
import GRDB
import MailStore

/// How the database is opened so that a tagged OK means the change is on disk.
///
/// In WAL mode a commit appends frames to `postern.sqlite-wal`; it survives a power cut only if that
/// file is synced before the commit returns, which SQLite does with `synchronous = FULL` and not with
/// `NORMAL` (NORMAL syncs only at checkpoints: a commit can be acknowledged, read by other
/// connections and then lost). GRDB's `DatabasePool` initialiser switches its writer to WAL and sets
/// `synchronous = NORMAL` *after* `Configuration.prepareDatabase` ran, so FULL is set again on the
/// writer once the pool exists, and read back: a store whose writer is not durable refuses to open.
extension SQLiteMailStore {
    /// `PRAGMA synchronous` value of FULL.
    static let synchronousFull = 2

    /// The database connections' configuration (shared by the writer and the read-only connections).
    static func databaseConfiguration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        config.label = "postern"
        config.prepareDatabase { db in
            // Read-only connections never write, but the setting keeps every connection alike.
            try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
        }
        return config
    }

    /// Opens the pool whose single writer connection makes every change (the group-commit writer's),
    /// switched to WAL with `synchronous = FULL`, and brings the schema up to date.
    static func openWriterPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try requireDurable(db)
        }
        try Schema.migrator.migrate(pool)
        return pool
    }

    /// Throws unless `db` commits durably: WAL journal and `synchronous = FULL`.
    static func requireDurable(_ db: Database) throws {
        let settings = try durabilitySettings(db)
        guard settings.journalMode == "wal", settings.synchronous == synchronousFull else {
            throw MailStoreError.internal(
                "database is not durable: journal_mode=\(settings.journalMode) synchronous=\(settings.synchronous)"
                    + " (expected wal and 2 = FULL)")
        }
    }

    static func durabilitySettings(_ db: Database) throws -> (synchronous: Int, journalMode: String) {
        let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        let journalMode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        return (synchronous, journalMode.lowercased())
    }

    /// `PRAGMA synchronous` and `journal_mode` of the connection that writes, as the store runs it.
    public func writerDurabilitySettings() async throws -> (synchronous: Int, journalMode: String) {
        try await pool.writeWithoutTransaction { db in try Self.durabilitySettings(db) }
    }
}
