import Foundation
import MailStore

extension MemoryMailStore {
    /// The mailboxes every new account starts with, all subscribed.
    static let defaultMailboxes: [(name: String, specialUse: SpecialUse?)] = [
        ("INBOX", nil), ("Sent", .sent), ("Drafts", .drafts), ("Trash", .trash), ("Junk", .junk),
        ("Archive", .archive),
    ]

    public func createAccount(name: String, credentials: StoredCredentials) async throws -> AccountID {
        try AccountName.validate(name)
        return try change { state, _ in
            if state.accountID(named: name) != nil { throw MailStoreError.accountExists }
            let id = state.nextAccountID
            state.nextAccountID += 1
            state.accounts[id] = MemoryAccount(id: id, name: name, credentials: credentials, created: Date())
            state.accountIDs[name.lowercased()] = id
            for mailbox in Self.defaultMailboxes {
                try state.insertMailbox(id, name: mailbox.name, specialUse: mailbox.specialUse)
                state.accounts[id]?.subscriptions.insert(mailbox.name)
            }
            return id
        }
    }

    public func setCredentials(accountName: String, credentials: StoredCredentials) async throws {
        try change { state, _ in
            guard let id = state.accountID(named: accountName), let old = state.accounts[id]?.credentials else {
                throw MailStoreError.accountNotFound
            }
            // A new salt or iteration count makes the app passwords' verifiers useless: they go.
            if old.salt != credentials.salt || old.iterations != credentials.iterations {
                state.accounts[id]?.appPasswords = []
            }
            state.accounts[id]?.credentials = credentials
        }
    }

    public func deleteAccount(name: String) async throws {
        let removed = try change { state, changed -> AccountID in
            guard let id = state.accountID(named: name), let account = state.accounts[id] else {
                throw MailStoreError.accountNotFound
            }
            for mailbox in account.mailboxes.values {
                state.removeMailbox(mailbox)
                changed.insert(mailbox)
            }
            state.accounts[id] = nil
            state.accountIDs[name.lowercased()] = nil
            return id
        }
        changeHub.publish(accountRemoved: removed)
    }

    /// By name, case-insensitively (the SQLite engine's NOCASE order).
    public func listAccounts() async throws -> [AccountSummary] {
        try read { state in
            state.accounts.values.sorted { $0.name.lowercased() < $1.name.lowercased() }.map {
                AccountSummary(id: $0.id, name: $0.name, created: $0.created)
            }
        }
    }

    public func credentials(accountName: String) async throws -> (AccountID, StoredCredentials)? {
        guard (try? AccountName.validate(accountName)) != nil else { return nil }
        return try read { state in
            state.accountID(named: accountName).flatMap { id in state.accounts[id].map { (id, $0.credentials) } }
        }
    }
}
