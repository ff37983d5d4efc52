import Foundation
import MailStore
import MailStoreConformance
import MailStoreSQLite
import Testing

@Suite struct AuthenticatorTests {
    @Test func rightWrongCacheAndInvalidation() async throws {
        try await withSQLiteStore { store in
            let hasher = MailStoreConformance.hasher
            let account = try await store.createAccount(
                name: "Alice", credentials: try hasher.makeCredentials(password: "first"))
            let auth = Authenticator(accounts: store, dummyIterations: 16)

            #expect(await auth.authenticate(name: "alice", password: "first") == account)
            #expect(auth.cacheHits == 0 && auth.cachedCount == 1)
            // Second login: answered from the cache (also with another spelling of the name).
            #expect(await auth.authenticate(name: "ALICE", password: "first") == account)
            #expect(auth.cacheHits == 1)
            // Wrong password: never from the cache, never cached.
            #expect(await auth.authenticate(name: "alice", password: "First") == nil)
            #expect(await auth.authenticate(name: "nobody", password: "first") == nil)
            #expect(auth.cacheHits == 1 && auth.cachedCount == 1)

            // A password change (as another process would do it) invalidates the cached success.
            try await store.setCredentials(
                accountName: "alice", credentials: try hasher.makeCredentials(password: "second"))
            #expect(await auth.authenticate(name: "alice", password: "first") == nil)
            #expect(await auth.authenticate(name: "alice", password: "second") == account)
            #expect(auth.cacheHits == 1)
            #expect(await auth.authenticate(name: "alice", password: "second") == account)
            #expect(auth.cacheHits == 2)

            // A deleted account is refused even though a success is cached.
            try await store.deleteAccount(name: "alice")
            #expect(await auth.authenticate(name: "alice", password: "second") == nil)
        }
    }

    /// App passwords log in wherever the password does, each until it is revoked; one KDF per attempt.
    @Test func appPasswords() async throws {
        try await withSQLiteStore { store in
            let hasher = MailStoreConformance.hasher
            let account = try await store.createAccount(
                name: "alice", credentials: try hasher.makeCredentials(password: "main"))
            let (_, main) = try #require(try await store.credentials(accountName: "alice"))
            for (label, password) in [("phone", "phone-pw"), ("laptop", "laptop-pw")] {
                try await store.addAppPassword(
                    accountName: "alice", label: label,
                    verifier: try PasswordHasher.credentials(
                        password: password, salt: main.salt, iterations: main.iterations))
            }
            let auth = Authenticator(accounts: store, dummyIterations: 16)
            #expect(await auth.authenticate(name: "alice", password: "main") == account)
            #expect(await auth.authenticate(name: "alice", password: "phone-pw") == account)
            #expect(await auth.authenticate(name: "alice", password: "laptop-pw") == account)
            #expect(await auth.authenticate(name: "alice", password: "other") == nil)
            #expect(await auth.authenticate(name: "alice", password: "phone-pw") == account)
            #expect(auth.cacheHits == 1, "a cached app-password success")
            try await store.revokeAppPassword(accountName: "alice", label: "phone")
            #expect(await auth.authenticate(name: "alice", password: "phone-pw") == nil, "revoked, also when cached")
            #expect(await auth.authenticate(name: "alice", password: "laptop-pw") == account)
            #expect(await auth.authenticate(name: "alice", password: "main") == account)
            #expect(await auth.scramAlternatives(account: account, credentials: main).count == 1)
        }
    }

    @Test func cacheIsBounded() async throws {
        try await withSQLiteStore { store in
            let auth = Authenticator(accounts: store, maxEntries: 2, dummyIterations: 16)
            for name in ["a1", "a2", "a3", "a4"] {
                _ = try await store.createAccount(
                    name: name, credentials: try MailStoreConformance.hasher.makeCredentials(password: "pw"))
                #expect(await auth.authenticate(name: name, password: "pw") != nil)
            }
            #expect(auth.cachedCount == 2)
        }
    }
}

@Suite struct StagingTests {
    @Test func writeFinishAbort() async throws {
        try await withTemporaryDirectory { url in
            let staging = MessageStaging(directory: url, maxSize: 10)
            let writer = try staging.begin()
            try writer.write([UInt8]("hello".utf8))
            try writer.write(Data(" you".utf8))
            let staged = try writer.finish()
            #expect(staged.size == 9)
            #expect(try Data(contentsOf: staged.url) == Data("hello you".utf8))
            staged.discard()
            #expect(!FileManager.default.fileExists(atPath: staged.path))

            let aborted = try staging.begin()
            try aborted.write([1, 2, 3])
            aborted.abort()
            #expect(!FileManager.default.fileExists(atPath: aborted.url.path))

            let big = try staging.begin()
            #expect(throws: MailStoreError.messageTooLarge) { try big.write([UInt8](repeating: 0, count: 11)) }
            #expect(!FileManager.default.fileExists(atPath: big.url.path))

            var dropped: URL?
            do {
                let forgotten = try staging.begin()
                dropped = forgotten.url
            }
            #expect(!FileManager.default.fileExists(atPath: try #require(dropped).path), "released writer cleans up")
        }
    }
}
