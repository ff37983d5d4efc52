import Foundation
import GRDB
import MailStore

extension SQLiteMailStore {
    /// The mailboxes every new account starts with, all subscribed.
    static let defaultMailboxes: [(name: String, specialUse: SpecialUse?)] = [
        ("INBOX", nil), ("Sent", .sent), ("Drafts", .drafts), ("Trash", .trash), ("Junk", .junk),
        ("Archive", .archive),
    ]

    public func createAccount(name: String, credentials: StoredCredentials) async throws -> AccountID {
        try AccountName.validate(name)
        return try await write("create account") { db, _ in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM accounts WHERE name = ?"), arguments: [name])
                != nil
            {
                throw MailStoreError.accountExists
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO accounts (name, salt, iterations, stored_key, server_key, created)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    name, Data(credentials.salt), credentials.iterations, Data(credentials.storedKey),
                    Data(credentials.serverKey), Date().timeIntervalSince1970,
                ])
            let account = db.lastInsertedRowID
            for mailbox in Self.defaultMailboxes {
                _ = try Self.insertMailbox(db, account: account, name: mailbox.name, specialUse: mailbox.specialUse)
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)")
                    .execute(
                        arguments: [account, mailbox.name])
            }
            return account
        }
    }

    public func setCredentials(accountName: String, credentials: StoredCredentials) async throws {
        try await write("set credentials") { db, _ in
            // A new salt or iteration count makes the app passwords' verifiers useless: they go.
            try db.cachedStatement(
                sql: """
                    DELETE FROM app_passwords WHERE account_id IN
                        (SELECT id FROM accounts WHERE name = ? AND (salt <> ? OR iterations <> ?))
                    """
            ).execute(arguments: [accountName, Data(credentials.salt), credentials.iterations])
            try db.cachedStatement(
                sql: "UPDATE accounts SET salt = ?, iterations = ?, stored_key = ?, server_key = ? WHERE name = ?"
            ).execute(
                arguments: [
                    Data(credentials.salt), credentials.iterations, Data(credentials.storedKey),
                    Data(credentials.serverKey), accountName,
                ])
            if db.changesCount == 0 { throw MailStoreError.accountNotFound }
        }
    }

    public func deleteAccount(name: String) async throws {
        let removed = try await write("delete account") { db, effects -> AccountID in
            guard
                let account = try AccountID.fetchOne(
                    db, sql: "SELECT id FROM accounts WHERE name = ?", arguments: [name])
            else { throw MailStoreError.accountNotFound }
            effects.changedMailboxes.formUnion(
                try MailboxID.fetchAll(db, sql: "SELECT id FROM mailboxes WHERE account_id = ?", arguments: [account]))
            let blobs = try String.fetchSet(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT m.blob FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                        WHERE b.account_id = ?
                        """), arguments: [account])
            try db.cachedStatement(sql: "DELETE FROM accounts WHERE id = ?").execute(arguments: [account])
            effects.unlinkBlobs += try Self.unreferenced(db, blobs)
            return account
        }
        changeHub.publish(accountRemoved: removed)
    }

    public func listAccounts() async throws -> [AccountSummary] {
        try await read("list accounts", rows: .max) { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name, created FROM accounts ORDER BY name")).map {
                row in
                AccountSummary(id: row["id"], name: row["name"], created: Date(timeIntervalSince1970: row["created"]))
            }
        }
    }

    public func credentials(accountName: String) async throws -> (AccountID, StoredCredentials)? {
        guard (try? AccountName.validate(accountName)) != nil else { return nil }
        let found = try await read("read credentials", isolated: false) { db -> CredentialsRow? in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT id, salt, iterations, stored_key, server_key FROM accounts WHERE name = ?"),
                arguments: [accountName]
            ).map { row in
                CredentialsRow(
                    id: row["id"],
                    credentials: StoredCredentials(
                        salt: [UInt8](row["salt"] as Data), iterations: row["iterations"],
                        storedKey: [UInt8](row["stored_key"] as Data), serverKey: [UInt8](row["server_key"] as Data)))
            }
        }
        return found.map { ($0.id, $0.credentials) }
    }
}

private struct CredentialsRow: Sendable {
    var id: AccountID
    var credentials: StoredCredentials
}
