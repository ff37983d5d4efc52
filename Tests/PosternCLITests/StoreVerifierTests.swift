import Foundation
import MailStore
import MailStoreMemory
import Testing

@testable import postern

/// `postern store copy`'s verification finds what differs between two stores.
@Suite struct StoreVerifierTests {
    static let credentials = StoredCredentials(salt: [1, 2, 3], iterations: 4096, storedKey: [4], serverKey: [5])

    func append(_ store: MemoryMailStore, _ account: AccountID, _ text: String, _ flags: MessageFlags) async throws {
        let inbox = try #require(try await store.mailbox(account: account, name: "INBOX")).id
        let writer = try store.stageMessage(maxSize: 1 << 20)
        try writer.write(Array(text.utf8))
        _ = try await store.append(
            account: account, mailbox: inbox, message: try writer.finish(), flags: flags,
            internalDate: Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test func differencesAreListed() async throws {
        let source = try MemoryMailStore()
        let target = try MemoryMailStore()
        let from = try await source.createAccount(name: "alice", credentials: Self.credentials)
        let to = try await target.createAccount(name: "alice", credentials: Self.credentials)
        try await append(source, from, "Subject: a\r\n\r\none\r\n", MessageFlags(system: .seen))
        try await append(target, to, "Subject: a\r\n\r\nother\r\n", MessageFlags(system: .flagged))
        try await source.setSubscribed(account: from, name: "Lists", subscribed: true)
        _ = try await source.createAccount(name: "bob", credentials: Self.credentials)
        let verifier = StoreVerifier(source: source, target: target)
        let problems = try await verifier.check("alice")
        #expect(problems.contains("alice: INBOX: UID 1 flags"))
        #expect(problems.contains("alice: INBOX: UID 1 content"))
        #expect(problems.contains("alice: subscriptions"))
        #expect(!problems.contains("alice: password verifier"))
        #expect(try await verifier.check("bob") == ["bob: missing in the target"])
    }

    /// The same store against itself: nothing differs.
    @Test func aStoreVerifiesAgainstItself() async throws {
        let store = try MemoryMailStore()
        let account = try await store.createAccount(name: "alice", credentials: Self.credentials)
        try await append(store, account, "Subject: a\r\n\r\none\r\n", MessageFlags(system: .seen))
        #expect(try await StoreVerifier(source: store, target: store).check("alice") == [])
    }
}
