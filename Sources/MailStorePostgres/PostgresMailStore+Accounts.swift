import Foundation
import MailStore
import NIOCore
import PostgresNIO

extension PostgresMailStore {
    /// The mailboxes every new account starts with, all subscribed.
    static let defaultMailboxes: [(name: String, specialUse: SpecialUse?)] = [
        ("INBOX", nil), ("Sent", .sent), ("Drafts", .drafts), ("Trash", .trash), ("Junk", .junk),
        ("Archive", .archive),
    ]

    public func createAccount(name: String, credentials: StoredCredentials) async throws -> AccountID {
        try AccountName.validate(name)
        return try await write("create account") { tx in
            if try await tx.accountID(named: name) != nil { throw MailStoreError.accountExists }
            let inserted: PostgresRow?
            do {
                inserted = try await tx.row(
                    """
                    INSERT INTO accounts (name, salt, iterations, stored_key, server_key, created)
                    VALUES (\(name), \(PGBytes.buffer(credentials.salt)), \(credentials.iterations),
                        \(PGBytes.buffer(credentials.storedKey)), \(PGBytes.buffer(credentials.serverKey)),
                        \(Date().stored))
                    RETURNING id
                    """)
            } catch  where Self.isUniqueViolation(error) {
                // Another node created the same name since the check above.
                throw MailStoreError.accountExists
            }
            guard let id = try inserted?.decode(Int64.self) else {
                throw MailStoreError.internal("account insert returned nothing")
            }
            for mailbox in Self.defaultMailboxes {
                try await tx.insertMailbox(id, name: mailbox.name, specialUse: mailbox.specialUse)
                try await tx.rows("INSERT INTO subscriptions (account_id, name) VALUES (\(id), \(mailbox.name))")
            }
            return id
        }
    }

    public func setCredentials(accountName: String, credentials: StoredCredentials) async throws {
        try await write("set credentials") { tx in
            guard let id = try await tx.accountID(named: accountName, lock: true),
                let row = try await tx.row("SELECT salt, iterations FROM accounts WHERE id = \(id)")
            else { throw MailStoreError.accountNotFound }
            let (salt, iterations) = try row.decode((ByteBuffer, Int).self)
            // A new salt or iteration count makes the app passwords' verifiers useless: they go.
            if PGBytes.bytes(salt) != credentials.salt || iterations != credentials.iterations {
                try await tx.rows("DELETE FROM app_passwords WHERE account_id = \(id)")
            }
            try await tx.rows(
                """
                UPDATE accounts SET salt = \(PGBytes.buffer(credentials.salt)), iterations = \(credentials.iterations),
                    stored_key = \(PGBytes.buffer(credentials.storedKey)),
                    server_key = \(PGBytes.buffer(credentials.serverKey))
                WHERE id = \(id)
                """)
        }
    }

    /// Deletes the account; its mailboxes, messages (and so content references), scripts and app
    /// passwords go with it by cascade.
    public func deleteAccount(name: String) async throws {
        try await write("delete account") { tx in
            guard let id = try await tx.accountID(named: name, lock: true) else {
                throw MailStoreError.accountNotFound
            }
            let mailboxes = try await tx.rows("SELECT id FROM mailboxes WHERE account_id = \(id)")
            for row in mailboxes { tx.changed.insert(try row.decode(Int64.self)) }
            try await tx.rows("DELETE FROM accounts WHERE id = \(id)")
            tx.removedAccounts.append(id)
        }
    }

    /// By name, case-insensitively.
    public func listAccounts() async throws -> [AccountSummary] {
        try await query("list accounts", "SELECT id, name, created FROM accounts ORDER BY lower(name), id").map {
            let (id, name, created) = try $0.decode((Int64, String, Double).self)
            return AccountSummary(id: id, name: name, created: Date(timeIntervalSince1970: created))
        }
    }

    public func credentials(accountName: String) async throws -> (AccountID, StoredCredentials)? {
        guard (try? AccountName.validate(accountName)) != nil else { return nil }
        let rows = try await query(
            "read credentials",
            """
            SELECT id, salt, iterations, stored_key, server_key FROM accounts WHERE lower(name) = lower(\(accountName))
            """)
        guard let row = rows.first else { return nil }
        let (id, salt, iterations, storedKey, serverKey) = try row.decode(
            (Int64, ByteBuffer, Int, ByteBuffer, ByteBuffer).self)
        return (
            id,
            StoredCredentials(
                salt: Array(salt.readableBytesView), iterations: iterations,
                storedKey: Array(storedKey.readableBytesView), serverKey: Array(serverKey.readableBytesView))
        )
    }

    // MARK: Quota

    public func quota(account: AccountID) async throws -> AccountQuota {
        try await read("read quota") { tx in
            let (limits, isDefault) = try await tx.quotaLimits(account, lock: false)
            let (bytes, messages) = try await tx.usage(account)
            return AccountQuota(usedBytes: bytes, usedMessages: messages, limits: limits, isDefault: isDefault)
        }
    }

    public func setQuota(account: AccountID, limits: QuotaLimits?) async throws {
        try await write("set quota") { tx in
            let updated = try await tx.rows(
                """
                UPDATE accounts SET quota_own = \(limits != nil), quota_bytes = \(limits?.storageBytes),
                    quota_messages = \(limits?.messages)
                WHERE id = \(account) RETURNING id
                """)
            if updated.isEmpty { throw MailStoreError.accountNotFound }
        }
    }

    public func setDefaultQuota(_ limits: QuotaLimits) async throws {
        try await write("set default quota") { tx in
            try await tx.rows(
                """
                UPDATE store_state SET default_quota_bytes = \(limits.storageBytes),
                    default_quota_messages = \(limits.messages)
                """)
        }
    }
}
