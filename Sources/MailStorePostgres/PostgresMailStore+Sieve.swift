import Foundation
import MailStore
import NIOCore
import PostgresNIO

/// Sieve scripts and tracking (see `SieveScriptStore`): rows of `sieve_scripts` and `sieve_tracking`,
/// removed with their account by cascade. Names compare octet by octet (text equality; listings in
/// byte order with the "C" collation).
extension PostgresMailStore {
    public func sieveScripts(account: AccountID) async throws -> [SieveScriptInfo] {
        try await query(
            "list sieve scripts",
            "SELECT name, active FROM sieve_scripts WHERE account_id = \(account) ORDER BY name COLLATE \"C\""
        ).map {
            let (name, active) = try $0.decode((String, Bool).self)
            return SieveScriptInfo(name: name, isActive: active)
        }
    }

    public func sieveScript(account: AccountID, name: String) async throws -> [UInt8]? {
        try await query(
            "read sieve script", "SELECT source FROM sieve_scripts WHERE account_id = \(account) AND name = \(name)"
        ).first.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
    }

    public func putSieveScript(account: AccountID, name: String, source: [UInt8], maxScripts: Int) async throws {
        try SieveScriptName.validate(name)
        guard source.count <= SieveScriptName.Limits.maxSourceSize else { throw SieveScriptError.scriptTooLarge }
        try await write("store sieve script") { tx in
            try await lockAccount(tx, account)
            let replaced = try await tx.rows(
                """
                UPDATE sieve_scripts SET source = \(PGBytes.buffer(source))
                WHERE account_id = \(account) AND name = \(name) RETURNING 1
                """)
            guard replaced.isEmpty else { return }
            let count =
                try await tx.row("SELECT count(*) FROM sieve_scripts WHERE account_id = \(account)")?.decode(
                    Int64.self) ?? 0
            guard count < maxScripts else { throw SieveScriptError.tooManyScripts }
            try await tx.rows(
                """
                INSERT INTO sieve_scripts (account_id, name, source)
                VALUES (\(account), \(name), \(PGBytes.buffer(source)))
                """)
        }
    }

    public func setActiveSieveScript(account: AccountID, name: String?) async throws {
        try await write("activate sieve script") { tx in
            try await lockAccount(tx, account)
            if let name,
                try await tx.row("SELECT 1 FROM sieve_scripts WHERE account_id = \(account) AND name = \(name)") == nil
            {
                throw SieveScriptError.scriptNotFound
            }
            try await tx.rows("UPDATE sieve_scripts SET active = false WHERE account_id = \(account) AND active")
            if let name {
                try await tx.rows(
                    "UPDATE sieve_scripts SET active = true WHERE account_id = \(account) AND name = \(name)")
            }
        }
    }

    public func deleteSieveScript(account: AccountID, name: String) async throws {
        try await write("delete sieve script") { tx in
            try await lockAccount(tx, account)
            guard
                let active = try await tx.row(
                    "SELECT active FROM sieve_scripts WHERE account_id = \(account) AND name = \(name)")?.decode(
                        Bool.self)
            else { throw SieveScriptError.scriptNotFound }
            guard !active else { throw SieveScriptError.scriptActive }
            try await tx.rows("DELETE FROM sieve_scripts WHERE account_id = \(account) AND name = \(name)")
        }
    }

    public func renameSieveScript(account: AccountID, from: String, to: String) async throws {
        try SieveScriptName.validate(to)
        try await write("rename sieve script") { tx in
            try await lockAccount(tx, account)
            guard
                try await tx.row("SELECT 1 FROM sieve_scripts WHERE account_id = \(account) AND name = \(from)") != nil
            else { throw SieveScriptError.scriptNotFound }
            guard try await tx.row("SELECT 1 FROM sieve_scripts WHERE account_id = \(account) AND name = \(to)") == nil
            else { throw SieveScriptError.scriptExists }
            try await tx.rows("UPDATE sieve_scripts SET name = \(to) WHERE account_id = \(account) AND name = \(from)")
        }
    }

    public func activeSieveScript(account: AccountID) async throws -> ActiveSieveScript? {
        try await query(
            "read active sieve script",
            "SELECT name, source FROM sieve_scripts WHERE account_id = \(account) AND active"
        ).first.map {
            let (name, source) = try $0.decode((String, ByteBuffer).self)
            return ActiveSieveScript(name: name, source: Array(source.readableBytesView))
        }
    }

    public func sieveTrackingContains(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], now: Date
    ) async throws -> Bool {
        let hash = PGBytes.buffer(SieveScriptName.trackingHash(key))
        return try await !query(
            "read sieve tracking",
            """
            SELECT 1 FROM sieve_tracking WHERE account_id = \(account) AND kind = \(kind.rawValue)
            AND hash = \(hash) AND expires > \(now.stored)
            """
        ).isEmpty
    }

    public func sieveTrackingRecord(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], expiresAt: Date, now: Date
    ) async throws {
        let hash = PGBytes.buffer(SieveScriptName.trackingHash(key))
        try await write("record sieve tracking") { tx in
            try await lockAccount(tx, account)
            try await tx.rows("DELETE FROM sieve_tracking WHERE account_id = \(account) AND expires <= \(now.stored)")
            try await tx.rows(
                """
                INSERT INTO sieve_tracking (account_id, kind, hash, expires)
                VALUES (\(account), \(kind.rawValue), \(hash), \(expiresAt.stored))
                ON CONFLICT (account_id, kind, hash) DO UPDATE SET expires = excluded.expires
                """)
            // Past the bound, the rows that expire first go.
            try await tx.rows(
                """
                DELETE FROM sieve_tracking WHERE account_id = \(account) AND (kind, hash) IN (
                    SELECT kind, hash FROM sieve_tracking WHERE account_id = \(account)
                    ORDER BY expires DESC OFFSET \(SieveScriptName.Limits.maxTrackingRows))
                """)
        }
    }

    /// Locks the account row: script changes of one account happen one after the other on every node
    /// (so the script count and the single active script hold). A missing account is `.accountNotFound`.
    private func lockAccount(_ tx: Transaction, _ account: AccountID) async throws {
        guard try await tx.row("SELECT 1 FROM accounts WHERE id = \(account) FOR NO KEY UPDATE") != nil else {
            throw MailStoreError.accountNotFound
        }
    }
}
