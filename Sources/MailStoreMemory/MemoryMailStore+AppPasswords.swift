import Foundation
import MailStore

/// App passwords (see `AppPassword`), kept with their account.
extension MemoryMailStore {
    public func addAppPassword(accountName: String, label: String, verifier: StoredCredentials) async throws {
        try AppPassword.validate(label: label)
        try change { state, _ in
            guard let id = state.accountID(named: accountName), let account = state.accounts[id] else {
                throw MailStoreError.accountNotFound
            }
            guard account.credentials.salt == verifier.salt, account.credentials.iterations == verifier.iterations
            else { throw MailStoreError.internal("the account's password changed while the app password was made") }
            guard account.appPasswords.count < AppPassword.Limits.maxPerAccount else {
                throw MailStoreError.tooManyAppPasswords
            }
            guard !account.appPasswords.contains(where: { $0.label.lowercased() == label.lowercased() }) else {
                throw MailStoreError.appPasswordExists
            }
            state.accounts[id]?.appPasswords.append(
                AppPassword(
                    label: label, created: Date(), storedKey: verifier.storedKey, serverKey: verifier.serverKey))
        }
    }

    public func appPasswords(accountName: String) async throws -> [AppPassword] {
        try read { state in
            guard let id = state.accountID(named: accountName), let account = state.accounts[id] else {
                throw MailStoreError.accountNotFound
            }
            return account.appPasswords.sorted { $0.label < $1.label }
        }
    }

    public func appPasswords(account: AccountID) async throws -> [AppPassword] {
        try read { state in (state.accounts[account]?.appPasswords ?? []).sorted { $0.label < $1.label } }
    }

    public func revokeAppPassword(accountName: String, label: String) async throws {
        try change { state, _ in
            guard let id = state.accountID(named: accountName), let account = state.accounts[id] else {
                throw MailStoreError.accountNotFound
            }
            let kept = account.appPasswords.filter { $0.label.lowercased() != label.lowercased() }
            guard kept.count < account.appPasswords.count else { throw MailStoreError.appPasswordNotFound }
            state.accounts[id]?.appPasswords = kept
        }
    }
}
