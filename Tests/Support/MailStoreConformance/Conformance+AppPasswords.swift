import Foundation
import MailStore
import Testing

/// App passwords: named verifiers sharing the account's salt and iteration count, revocable one by one,
/// gone with a new salt and with the account.
extension MailStoreConformance {
    /// A verifier of `password` made as `postern user app-password add` makes it.
    static func appVerifier(
        _ store: any MailStore & AccountStore, _ name: String, _ password: String
    ) async throws -> StoredCredentials {
        let (_, account) = try #require(try await store.credentials(accountName: name))
        return try PasswordHasher.credentials(password: password, salt: account.salt, iterations: account.iterations)
    }

    public static func appPasswords(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        _ = try await makeAccount(store, "bob")
        let phone = try await appVerifier(store, "alice", "phone-secret")
        try await store.addAppPassword(accountName: "ALICE", label: "phone", verifier: phone)
        try await store.addAppPassword(
            accountName: "alice", label: "laptop 2", verifier: try await appVerifier(store, "alice", "laptop-secret"))
        var listed = try await store.appPasswords(accountName: "alice")
        #expect(listed.map(\.label) == ["laptop 2", "phone"])
        #expect(listed.last?.storedKey == phone.storedKey && listed.last?.serverKey == phone.serverKey)
        #expect(try await store.appPasswords(account: account).map(\.label) == ["laptop 2", "phone"])
        #expect(try await store.appPasswords(accountName: "bob").isEmpty)

        await expectError(.appPasswordExists) {
            try await store.addAppPassword(accountName: "alice", label: "PHONE", verifier: phone)
        }
        await expectError(.invalidAppPasswordLabel("")) {
            try await store.addAppPassword(accountName: "alice", label: "", verifier: phone)
        }
        await expectError(.invalidAppPasswordLabel("")) {
            try await store.addAppPassword(accountName: "alice", label: "a/b", verifier: phone)
        }
        await expectError(.accountNotFound) {
            try await store.addAppPassword(accountName: "nobody", label: "x", verifier: phone)
        }
        // A verifier made with another salt is refused.
        await expectError(.internal("")) {
            try await store.addAppPassword(accountName: "bob", label: "x", verifier: phone)
        }
        await expectError(.appPasswordNotFound) { try await store.revokeAppPassword(accountName: "alice", label: "tv") }
        await expectError(.accountNotFound) { try await store.appPasswords(accountName: "nobody") }

        try await store.revokeAppPassword(accountName: "alice", label: "Laptop 2")
        listed = try await store.appPasswords(accountName: "alice")
        #expect(listed.map(\.label) == ["phone"])

        // A new password with the same salt and count keeps them; a new salt revokes them.
        let (_, current) = try #require(try await store.credentials(accountName: "alice"))
        let same = try PasswordHasher.credentials(password: "new", salt: current.salt, iterations: current.iterations)
        try await store.setCredentials(accountName: "alice", credentials: same)
        #expect(try await store.appPasswords(accountName: "alice").count == 1)
        try await store.setCredentials(accountName: "alice", credentials: credentials("newer"))
        #expect(try await store.appPasswords(accountName: "alice").isEmpty)

        // At most `maxPerAccount`.
        for i in 0..<AppPassword.Limits.maxPerAccount {
            try await store.addAppPassword(
                accountName: "bob", label: "device \(i)", verifier: try await appVerifier(store, "bob", "p\(i)"))
        }
        await expectError(.tooManyAppPasswords) {
            try await store.addAppPassword(
                accountName: "bob", label: "one more", verifier: try await appVerifier(store, "bob", "x"))
        }
        try await store.deleteAccount(name: "bob")
        _ = try await makeAccount(store, "bob")
        #expect(try await store.appPasswords(accountName: "bob").isEmpty, "gone with the account")
    }
}
