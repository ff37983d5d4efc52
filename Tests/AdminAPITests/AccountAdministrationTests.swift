import Administration
import Foundation
import MailStore
import MailStoreConformance
import MailStoreMemory
import MailStoreSQLite
import Testing

/// The account administration the CLI and the admin API share, on both engines: each action, each
/// refusal with its kind and words.
@Suite struct AccountAdministrationTests {
    static func engines() throws -> [any MailStore & AccountStore] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString)")
        return [try MemoryMailStore(), try SQLiteMailStore(dataDirectory: directory)]
    }

    @Test func createsAccountsWithGivenOrGeneratedPasswords() async throws {
        for store in try Self.engines() {
            let administration = AccountAdministration(store: store)
            #expect(try await administration.createAccount(name: "alice", password: "alice-password") == nil)
            let generated = try #require(try await administration.createAccount(name: "bob", password: nil))
            #expect(generated.count == 20)
            let authenticator = Authenticator(accounts: store)
            #expect(await authenticator.authenticate(name: "alice", password: "alice-password") != nil)
            #expect(await authenticator.authenticate(name: "bob", password: generated) != nil)
            let names = try await administration.accounts().map(\.name)
            #expect(names.sorted() == ["alice", "bob"])
        }
    }

    @Test func refusesBadAccountsAndPasswords() async throws {
        for store in try Self.engines() {
            let administration = AccountAdministration(store: store)
            _ = try await administration.createAccount(name: "alice", password: "alice-password")
            await expectFailure(.conflict, "account 'ALICE' already exists") {
                _ = try await administration.createAccount(name: "ALICE", password: "x-password")
            }
            await expectFailure(.invalid, "invalid account name 'no/slash'") {
                _ = try await administration.createAccount(name: "no/slash", password: "x-password")
            }
            await expectFailure(.invalid, "the password is empty") {
                _ = try await administration.createAccount(name: "carol", password: "")
            }
            let long = String(repeating: "p", count: AccountAdministration.Limits.maxPasswordBytes + 1)
            await expectFailure(.invalid, "the password is longer than 1024 bytes") {
                _ = try await administration.setPassword(name: "alice", password: long)
            }
            // The longest password taken is taken.
            let longest = String(repeating: "p", count: AccountAdministration.Limits.maxPasswordBytes)
            _ = try await administration.setPassword(name: "alice", password: longest)
            for action in Self.accountActions(administration, name: "nobody") {
                await expectFailure(.notFound, "no account named 'nobody'", action)
            }
        }
    }

    /// Every action on one named account.
    static func accountActions(_ administration: AccountAdministration, name: String) -> [() async throws -> Void] {
        [
            { _ = try await administration.setPassword(name: name, password: "new-password") },
            { try await administration.deleteAccount(name: name) },
            { _ = try await administration.account(name: name) },
            { _ = try await administration.quota(name: name) },
            { _ = try await administration.setQuota(name: name, limits: nil) },
            { _ = try await administration.appPasswords(name: name) },
            { _ = try await administration.createAppPassword(name: name, label: "phone") },
            { _ = try await administration.mailboxStatistics(name: name) },
        ]
    }

    @Test func changesPasswordsKeepingAppPasswords() async throws {
        for store in try Self.engines() {
            let administration = AccountAdministration(store: store)
            _ = try await administration.createAccount(name: "alice", password: "old-password")
            let app = try await administration.createAppPassword(name: "alice", label: "phone")
            let change = try await administration.setPassword(name: "alice", password: nil)
            let generated = try #require(change.generatedPassword)
            #expect(change.appPasswordsRevoked == 0)
            let authenticator = Authenticator(accounts: store)
            #expect(await authenticator.authenticate(name: "alice", password: generated) != nil)
            #expect(await authenticator.authenticate(name: "alice", password: "old-password") == nil)
            #expect(await authenticator.authenticate(name: "alice", password: app) != nil)
        }
    }

    @Test func managesAppPasswords() async throws {
        for store in try Self.engines() {
            let administration = AccountAdministration(store: store)
            _ = try await administration.createAccount(name: "alice", password: "alice-password")
            _ = try await administration.createAppPassword(name: "alice", label: "phone")
            await expectFailure(.conflict, "'alice' already has an app password with that label") {
                _ = try await administration.createAppPassword(name: "alice", label: "phone")
            }
            await expectFailure(.invalid, "invalid app password label") {
                _ = try await administration.createAppPassword(name: "alice", label: "bad/label")
            }
            #expect(try await administration.appPasswords(name: "alice").map(\.label) == ["phone"])
            try await administration.revokeAppPassword(name: "alice", label: "phone")
            await expectFailure(.notFound, "'alice' has no app password with that label") {
                try await administration.revokeAppPassword(name: "alice", label: "phone")
            }
            #expect(try await administration.appPasswords(name: "alice").isEmpty)
            for n in 0..<AppPassword.Limits.maxPerAccount {
                _ = try await administration.createAppPassword(name: "alice", label: "device \(n)")
            }
            await expectFailure(.conflict, "'alice' already has 50 app passwords: revoke one first") {
                _ = try await administration.createAppPassword(name: "alice", label: "one more")
            }
        }
    }

    @Test func setsQuotasAndReportsUsageAndMailboxes() async throws {
        for store in try Self.engines() {
            let administration = AccountAdministration(store: store)
            _ = try await administration.createAccount(name: "alice", password: "alice-password")
            let (account, _) = try #require(try await store.credentials(accountName: "alice"))
            let inbox = try #require(try await store.mailbox(account: account, name: "INBOX"))
            _ = try await store.append(
                account: account, mailbox: inbox.id,
                messages: [
                    try MailStoreConformance.staged(store, 1),
                    try MailStoreConformance.staged(store, 2, flags: MessageFlags(system: .seen)),
                ])
            let limited = try await administration.setQuota(
                name: "alice", limits: QuotaLimits(storageBytes: 1 << 20, messages: 100))
            #expect(limited.limits == QuotaLimits(storageBytes: 1 << 20, messages: 100))
            #expect(!limited.isDefault && limited.usedMessages == 2)
            #expect(try await administration.setQuota(name: "alice", limits: nil).isDefault)
            await expectFailure(.invalid, "quota limits cannot be negative") {
                _ = try await administration.setQuota(name: "alice", limits: QuotaLimits(storageBytes: -1))
            }
            let usage = try await administration.account(name: "ALICE")
            #expect(usage.name == "alice" && usage.usedMessages == 2 && usage.usedBytes == limited.usedBytes)
            let statistics = try await administration.mailboxStatistics(name: "alice")
            #expect(statistics.map(\.name) == ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"])
            let inboxCounts = try #require(statistics.first { $0.name == "INBOX" })
            #expect(inboxCounts.messages == 2 && inboxCounts.unseen == 1 && inboxCounts.size == usage.usedBytes)
            try await administration.deleteAccount(name: "alice")
            #expect(try await administration.accounts().isEmpty)
        }
    }
}

/// Expects `body` to throw an `AdministrationError` of `kind` whose words start with `prefix`.
func expectFailure(
    _ kind: AdministrationError.Kind, _ prefix: String, _ body: () async throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        try await body()
        Issue.record("no error; expected \(kind): \(prefix)", sourceLocation: sourceLocation)
    } catch let error as AdministrationError {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(prefix), "\(error.description)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
