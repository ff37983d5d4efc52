import Foundation
import MailStore

/// Account administration as both `postern user …` and the admin API do it: one validation, one set of
/// errors (`AdministrationError`), the store's own durable writes. Passwords given are never kept or
/// logged; a generated one is returned once, for the caller to show.
public struct AccountAdministration: Sendable {
    /// The bounds of what an administrator may pass in.
    public enum Limits {
        /// The longest password taken, in UTF-8 bytes (the key derivation reads all of it).
        public static let maxPasswordBytes = 1024
    }

    /// An account and what it uses.
    public struct Usage: Sendable, Equatable {
        public var name: String
        public var created: Date
        public var usedBytes: Int64
        public var usedMessages: Int64
    }

    /// A changed password: the generated one (nil when the caller gave it) and how many app passwords
    /// the change revoked (those made for older key derivation settings).
    public struct PasswordChange: Sendable, Equatable {
        public var generatedPassword: String?
        public var appPasswordsRevoked: Int
    }

    /// One mailbox's counts (no message content).
    public struct MailboxStatistics: Sendable, Equatable {
        public var name: String
        public var messages: Int
        public var unseen: Int
        public var size: Int64
    }

    let store: any MailStore & AccountStore

    public init(store: any MailStore & AccountStore) {
        self.store = store
    }

    /// Refuses an empty or too long password.
    public static func validate(password: String) throws {
        if password.isEmpty {
            throw AdministrationError(.invalid, "the password is empty")
        }
        if password.utf8.count > Limits.maxPasswordBytes {
            throw AdministrationError(.invalid, "the password is longer than \(Limits.maxPasswordBytes) bytes")
        }
    }

    /// Creates the account with its default mailboxes; returns the generated password when `password` is nil.
    public func createAccount(name: String, password: String?) async throws -> String? {
        let secret = try password.map { try Self.checked($0) } ?? PasswordHasher.generatePassword()
        try Self.validate(accountName: name)
        let credentials = try PasswordHasher().makeCredentials(password: secret)
        try await AdministrationError.mapping(account: name) {
            _ = try await store.createAccount(name: name, credentials: credentials)
        }
        return password == nil ? secret : nil
    }

    /// Sets the password (generated when nil). Keeps the account's salt when its iteration count is the
    /// current one, so that its app passwords (made with the same salt and count) stay valid; else they
    /// are revoked.
    public func setPassword(name: String, password: String?) async throws -> PasswordChange {
        let secret = try password.map { try Self.checked($0) } ?? PasswordHasher.generatePassword()
        return try await AdministrationError.mapping(account: name) {
            let current = try await credentials(name).credentials
            let hasher = PasswordHasher()
            let changed =
                current.iterations == hasher.iterations
                ? try PasswordHasher.credentials(password: secret, salt: current.salt, iterations: current.iterations)
                : try hasher.makeCredentials(password: secret)
            let apps = try await store.appPasswords(accountName: name).count
            try await store.setCredentials(accountName: name, credentials: changed)
            return PasswordChange(
                generatedPassword: password == nil ? secret : nil,
                appPasswordsRevoked: changed.salt != current.salt ? apps : 0)
        }
    }

    /// Deletes the account, its mailboxes and messages (its sessions are told by the store).
    public func deleteAccount(name: String) async throws {
        try await AdministrationError.mapping(account: name) { try await store.deleteAccount(name: name) }
    }

    /// Every account with its usage, by name.
    public func accounts() async throws -> [Usage] {
        try await AdministrationError.mapping(account: "") {
            var result: [Usage] = []
            for account in try await store.listAccounts() {
                let quota = try await store.quota(account: account.id)
                result.append(
                    Usage(
                        name: account.name, created: account.created, usedBytes: quota.usedBytes,
                        usedMessages: quota.usedMessages))
            }
            return result
        }
    }

    /// One account with its usage.
    public func account(name: String) async throws -> Usage {
        try await AdministrationError.mapping(account: name) {
            let id = try await credentials(name).id
            guard let summary = try await store.listAccounts().first(where: { $0.id == id }) else {
                throw MailStoreError.accountNotFound
            }
            let quota = try await store.quota(account: id)
            return Usage(
                name: summary.name, created: summary.created, usedBytes: quota.usedBytes,
                usedMessages: quota.usedMessages)
        }
    }

    /// The account's usage and the limits in force.
    public func quota(name: String) async throws -> AccountQuota {
        try await AdministrationError.mapping(account: name) {
            try await store.quota(account: try await credentials(name).id)
        }
    }

    /// Replaces the account's own limits (nil: the server's default applies again); returns the quota.
    public func setQuota(name: String, limits: QuotaLimits?) async throws -> AccountQuota {
        if let limits, (limits.storageBytes ?? 0) < 0 || (limits.messages ?? 0) < 0 {
            throw AdministrationError(.invalid, "quota limits cannot be negative")
        }
        return try await AdministrationError.mapping(account: name) {
            let id = try await credentials(name).id
            try await store.setQuota(account: id, limits: limits)
            return try await store.quota(account: id)
        }
    }

    /// The account's app passwords, by label.
    public func appPasswords(name: String) async throws -> [AppPassword] {
        try await AdministrationError.mapping(account: name) {
            _ = try await credentials(name)
            return try await store.appPasswords(accountName: name)
        }
    }

    /// Creates an app password and returns its secret (the only time it exists outside the verifier).
    public func createAppPassword(name: String, label: String) async throws -> String {
        let secret = PasswordHasher.generatePassword()
        try await AdministrationError.mapping(account: name) {
            try AppPassword.validate(label: label)
            let account = try await credentials(name).credentials
            let verifier = try PasswordHasher.credentials(
                password: secret, salt: account.salt, iterations: account.iterations)
            try await store.addAppPassword(accountName: name, label: label, verifier: verifier)
        }
        return secret
    }

    public func revokeAppPassword(name: String, label: String) async throws {
        try await AdministrationError.mapping(account: name) {
            try await store.revokeAppPassword(accountName: name, label: label)
        }
    }

    /// Messages, unseen messages and total size of each of the account's selectable mailboxes, by name.
    public func mailboxStatistics(name: String) async throws -> [MailboxStatistics] {
        try await AdministrationError.mapping(account: name) {
            let id = try await credentials(name).id
            var result: [MailboxStatistics] = []
            for mailbox in try await store.listMailboxes(account: id) where !mailbox.isNoSelect {
                let status: MailboxStatus
                do {
                    status = try await store.status(account: id, mailbox: mailbox.id)
                } catch MailStoreError.mailboxNotFound, MailStoreError.noSelect {
                    continue  // deleted meanwhile
                }
                result.append(
                    MailboxStatistics(
                        name: mailbox.name, messages: status.messages, unseen: status.unseen, size: status.size))
            }
            return result.sorted { $0.name < $1.name }
        }
    }

    private func credentials(_ name: String) async throws -> (id: AccountID, credentials: StoredCredentials) {
        guard let (id, stored) = try await store.credentials(accountName: name) else {
            throw MailStoreError.accountNotFound
        }
        return (id, stored)
    }

    private static func checked(_ password: String) throws -> String {
        try validate(password: password)
        return password
    }

    private static func validate(accountName name: String) throws {
        do {
            try AccountName.validate(name)
        } catch let error as MailStoreError {
            throw AdministrationError(error, account: name)
        }
    }
}
