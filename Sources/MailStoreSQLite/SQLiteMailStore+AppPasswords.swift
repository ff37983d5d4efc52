import Foundation
import GRDB
import MailStore

/// App passwords (see `AppPassword`): rows of `app_passwords`, removed with their account.
extension SQLiteMailStore {
    public func addAppPassword(accountName: String, label: String, verifier: StoredCredentials) async throws {
        try AppPassword.validate(label: label)
        try await write("add app password") { db, _ in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT id, salt, iterations FROM accounts WHERE name = ?"),
                    arguments: [accountName])
            else { throw MailStoreError.accountNotFound }
            guard [UInt8](row["salt"] as Data) == verifier.salt, row["iterations"] == verifier.iterations else {
                throw MailStoreError.internal("the account's password changed while the app password was made")
            }
            let account: AccountID = row["id"]
            let count =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM app_passwords WHERE account_id = ?"),
                    arguments: [account]) ?? 0
            guard count < AppPassword.Limits.maxPerAccount else { throw MailStoreError.tooManyAppPasswords }
            if try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM app_passwords WHERE account_id = ? AND label = ?"),
                arguments: [account, label]) != nil
            {
                throw MailStoreError.appPasswordExists
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO app_passwords (account_id, label, stored_key, server_key, created)
                    VALUES (?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                account, label, Data(verifier.storedKey), Data(verifier.serverKey), Date().timeIntervalSince1970,
            ])
        }
    }

    public func appPasswords(accountName: String) async throws -> [AppPassword] {
        guard let (account, _) = try await credentials(accountName: accountName) else {
            throw MailStoreError.accountNotFound
        }
        return try await appPasswords(account: account)
    }

    public func appPasswords(account: AccountID) async throws -> [AppPassword] {
        try await read("read app passwords", rows: AppPassword.Limits.maxPerAccount) { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT label, created, stored_key, server_key FROM app_passwords
                        WHERE account_id = ? ORDER BY label
                        """), arguments: [account]
            ).map { row in
                AppPassword(
                    label: row["label"], created: Date(timeIntervalSince1970: row["created"]),
                    storedKey: [UInt8](row["stored_key"] as Data), serverKey: [UInt8](row["server_key"] as Data))
            }
        }
    }

    public func revokeAppPassword(accountName: String, label: String) async throws {
        try await write("revoke app password") { db, _ in
            guard
                let account = try AccountID.fetchOne(
                    db, sql: "SELECT id FROM accounts WHERE name = ?", arguments: [accountName])
            else { throw MailStoreError.accountNotFound }
            try db.cachedStatement(sql: "DELETE FROM app_passwords WHERE account_id = ? AND label = ?").execute(
                arguments: [account, label])
            if db.changesCount == 0 { throw MailStoreError.appPasswordNotFound }
        }
    }
}
