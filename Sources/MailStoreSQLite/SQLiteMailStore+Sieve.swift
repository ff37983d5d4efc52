import Foundation
import GRDB
import MailStore

/// Sieve scripts and tracking (see `SieveScriptStore`): rows of `sieve_scripts` and `sieve_tracking`,
/// removed with their account by cascade.
extension SQLiteMailStore {
    public func sieveScripts(account: AccountID) async throws -> [SieveScriptInfo] {
        try await read("list sieve scripts", rows: 1) { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT name, active FROM sieve_scripts WHERE account_id = ? ORDER BY name"),
                arguments: [account]
            ).map { SieveScriptInfo(name: $0["name"], isActive: $0["active"]) }
        }
    }

    public func sieveScript(account: AccountID, name: String) async throws -> [UInt8]? {
        try await read("read sieve script", rows: 1, isolated: false) { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT source FROM sieve_scripts WHERE account_id = ? AND name = ?"),
                arguments: [account, name]
            ).map { [UInt8]($0) }
        }
    }

    public func putSieveScript(account: AccountID, name: String, source: [UInt8], maxScripts: Int) async throws {
        try SieveScriptName.validate(name)
        guard source.count <= SieveScriptName.Limits.maxSourceSize else { throw SieveScriptError.scriptTooLarge }
        try await write("store sieve script") { db, _ in
            try Self.requireAccount(db, account)
            try db.cachedStatement(sql: "UPDATE sieve_scripts SET source = ? WHERE account_id = ? AND name = ?")
                .execute(arguments: [Data(source), account, name])
            guard db.changesCount == 0 else { return }
            let count =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM sieve_scripts WHERE account_id = ?"),
                    arguments: [account]) ?? 0
            guard count < maxScripts else { throw SieveScriptError.tooManyScripts }
            try db.cachedStatement(sql: "INSERT INTO sieve_scripts (account_id, name, source) VALUES (?, ?, ?)")
                .execute(arguments: [account, name, Data(source)])
        }
    }

    public func setActiveSieveScript(account: AccountID, name: String?) async throws {
        try await write("activate sieve script") { db, _ in
            try Self.requireAccount(db, account)
            if let name {
                guard
                    try Bool.fetchOne(
                        db.cachedStatement(sql: "SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?"),
                        arguments: [account, name]) != nil
                else { throw SieveScriptError.scriptNotFound }
            }
            try db.cachedStatement(sql: "UPDATE sieve_scripts SET active = 0 WHERE account_id = ? AND active = 1")
                .execute(arguments: [account])
            if let name {
                try db.cachedStatement(sql: "UPDATE sieve_scripts SET active = 1 WHERE account_id = ? AND name = ?")
                    .execute(arguments: [account, name])
            }
        }
    }

    public func deleteSieveScript(account: AccountID, name: String) async throws {
        try await write("delete sieve script") { db, _ in
            try Self.requireAccount(db, account)
            guard
                let active = try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT active FROM sieve_scripts WHERE account_id = ? AND name = ?"),
                    arguments: [account, name])
            else { throw SieveScriptError.scriptNotFound }
            guard !active else { throw SieveScriptError.scriptActive }
            try db.cachedStatement(sql: "DELETE FROM sieve_scripts WHERE account_id = ? AND name = ?")
                .execute(arguments: [account, name])
        }
    }

    public func renameSieveScript(account: AccountID, from: String, to: String) async throws {
        try SieveScriptName.validate(to)
        try await write("rename sieve script") { db, _ in
            try Self.requireAccount(db, account)
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM sieve_scripts WHERE account_id = ? AND name = ?")
            guard try Bool.fetchOne(exists, arguments: [account, from]) != nil else {
                throw SieveScriptError.scriptNotFound
            }
            guard try Bool.fetchOne(exists, arguments: [account, to]) == nil else {
                throw SieveScriptError.scriptExists
            }
            try db.cachedStatement(sql: "UPDATE sieve_scripts SET name = ? WHERE account_id = ? AND name = ?")
                .execute(arguments: [to, account, from])
        }
    }

    public func activeSieveScript(account: AccountID) async throws -> ActiveSieveScript? {
        try await read("read active sieve script", rows: 1, isolated: false) { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT name, source FROM sieve_scripts WHERE account_id = ? AND active = 1"),
                arguments: [account]
            ).map { ActiveSieveScript(name: $0["name"], source: [UInt8]($0["source"] as Data)) }
        }
    }

    public func sieveTrackingContains(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], now: Date
    ) async throws -> Bool {
        let hash = Data(SieveScriptName.trackingHash(key))
        return try await read("read sieve tracking", rows: 1, isolated: false) { db in
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT 1 FROM sieve_tracking
                        WHERE account_id = ? AND kind = ? AND key_hash = ? AND expires_at > ?
                        """),
                arguments: [account, kind.rawValue, hash, now.timeIntervalSince1970]) != nil
        }
    }

    public func sieveTrackingRecord(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], expiresAt: Date, now: Date
    ) async throws {
        let hash = Data(SieveScriptName.trackingHash(key))
        try await write("record sieve tracking") { db, _ in
            try Self.requireAccount(db, account)
            try db.cachedStatement(sql: "DELETE FROM sieve_tracking WHERE account_id = ? AND expires_at <= ?")
                .execute(arguments: [account, now.timeIntervalSince1970])
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO sieve_tracking (account_id, kind, key_hash, expires_at)
                    VALUES (?, ?, ?, ?)
                    """
            ).execute(arguments: [account, kind.rawValue, hash, expiresAt.timeIntervalSince1970])
            // Past the bound, the rows that expire first go.
            try db.cachedStatement(
                sql: """
                    DELETE FROM sieve_tracking WHERE account_id = ?1 AND (kind, key_hash) IN (
                        SELECT kind, key_hash FROM sieve_tracking WHERE account_id = ?1
                        ORDER BY expires_at DESC LIMIT -1 OFFSET ?2)
                    """
            ).execute(arguments: [account, SieveScriptName.Limits.maxTrackingRows])
        }
    }
}
