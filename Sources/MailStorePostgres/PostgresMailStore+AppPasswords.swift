import Foundation
import MailStore
import NIOCore
import PostgresNIO

/// App passwords (see `AppPassword`): rows of `app_passwords`, removed with their account by cascade.
extension PostgresMailStore {
    public func addAppPassword(accountName: String, label: String, verifier: StoredCredentials) async throws {
        try AppPassword.validate(label: label)
        try await write("add app password") { tx in
            // The account row is locked: the count below and the insert are one step for every node.
            guard let id = try await tx.accountID(named: accountName, lock: true),
                let row = try await tx.row("SELECT salt, iterations FROM accounts WHERE id = \(id)")
            else { throw MailStoreError.accountNotFound }
            let (salt, iterations) = try row.decode((ByteBuffer, Int).self)
            guard PGBytes.bytes(salt) == verifier.salt, iterations == verifier.iterations else {
                throw MailStoreError.internal("the account's password changed while the app password was made")
            }
            let count =
                try await tx.row("SELECT count(*) FROM app_passwords WHERE account_id = \(id)")?.decode(Int64.self) ?? 0
            guard count < AppPassword.Limits.maxPerAccount else { throw MailStoreError.tooManyAppPasswords }
            if try await tx.row(
                "SELECT 1 FROM app_passwords WHERE account_id = \(id) AND lower(label) = lower(\(label))") != nil
            {
                throw MailStoreError.appPasswordExists
            }
            try await tx.rows(
                """
                INSERT INTO app_passwords (account_id, label, stored_key, server_key, created)
                VALUES (\(id), \(label), \(PGBytes.buffer(verifier.storedKey)), \(PGBytes.buffer(verifier.serverKey)),
                    \(Date().stored))
                """)
        }
    }

    public func appPasswords(accountName: String) async throws -> [AppPassword] {
        try await read("list app passwords") { tx in
            guard let id = try await tx.accountID(named: accountName) else { throw MailStoreError.accountNotFound }
            return try await Self.appPasswords(tx, id)
        }
    }

    public func appPasswords(account: AccountID) async throws -> [AppPassword] {
        try await read("read app passwords") { tx in try await Self.appPasswords(tx, account) }
    }

    public func revokeAppPassword(accountName: String, label: String) async throws {
        try await write("revoke app password") { tx in
            guard let id = try await tx.accountID(named: accountName) else { throw MailStoreError.accountNotFound }
            let removed = try await tx.rows(
                """
                DELETE FROM app_passwords WHERE account_id = \(id) AND lower(label) = lower(\(label)) RETURNING 1
                """)
            if removed.isEmpty { throw MailStoreError.appPasswordNotFound }
        }
    }

    /// By label, in byte order.
    private static func appPasswords(_ tx: Transaction, _ account: AccountID) async throws -> [AppPassword] {
        try await tx.rows(
            """
            SELECT label, created, stored_key, server_key FROM app_passwords WHERE account_id = \(account)
            ORDER BY label COLLATE "C"
            """
        ).map {
            let (label, created, storedKey, serverKey) = try $0.decode((String, Double, ByteBuffer, ByteBuffer).self)
            return AppPassword(
                label: label, created: Date(timeIntervalSince1970: created),
                storedKey: Array(storedKey.readableBytesView), serverKey: Array(serverKey.readableBytesView))
        }
    }
}
