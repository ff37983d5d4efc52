import Foundation
import MailStore
import MailStoreSQLite
import Testing

@testable import PosternServer

/// The first start: `postmaster` and its welcome message in an empty data folder, nothing in one that
/// already has accounts, and a new password when an earlier first start made `postmaster` but did not
/// finish.
@Suite struct FirstStartTests {
    /// A data folder with its store, removed afterwards.
    static func withDataFolder(_ body: (SQLiteMailStore, ServerConfiguration) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-first-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(try SQLiteMailStore(dataDirectory: url), ServerConfiguration(dataDirectory: url))
    }

    static func postmasterAccepts(_ password: String, _ store: SQLiteMailStore) async throws -> Bool {
        let (_, credentials) = try #require(try await store.credentials(accountName: "postmaster"))
        return PasswordHasher().verify(password: password, against: credentials)
    }

    static func inboxMessages(_ store: SQLiteMailStore, _ name: String) async throws -> Int {
        let (account, _) = try #require(try await store.credentials(accountName: name))
        let inbox = try #require(try await store.mailbox(account: account, name: "INBOX"))
        return try await store.status(account: account, mailbox: inbox.id).messages
    }

    @Test func emptyDataFolderGetsPostmasterWithWelcomeMessage() async throws {
        try await Self.withDataFolder { store, configuration in
            let outcome = try await FirstStart.prepare(store: store, configuration: configuration)
            guard case .madePostmaster(let password) = outcome else {
                Issue.record("expected a new postmaster, got \(outcome)")
                return
            }
            #expect(try await Self.postmasterAccepts(password, store))
            #expect(try await Self.inboxMessages(store, "postmaster") == 1)
            #expect(try await store.listAccounts().map(\.name) == ["postmaster"])
            // Not done until the caller has printed the outcome and finished.
            #expect(!FirstStart.isDone(configuration.dataDirectory))
            try FirstStart.finish(configuration.dataDirectory)
            #expect(FirstStart.isDone(configuration.dataDirectory))
            let pending = configuration.dataDirectory.appendingPathComponent(FirstStart.pendingName)
            #expect(!FileManager.default.fileExists(atPath: pending.path))
        }
    }

    @Test func accountsMadeBeforeTheFirstStartAreLeftAlone() async throws {
        try await Self.withDataFolder { store, configuration in
            let credentials = try PasswordHasher(unsafeTestIterations: 1).makeCredentials(password: "alice-pw")
            _ = try await store.createAccount(name: "alice", credentials: credentials)
            let outcome = try await FirstStart.prepare(store: store, configuration: configuration)
            #expect(outcome == .accountsExisted(["alice"]))
            #expect(try await store.listAccounts().map(\.name) == ["alice"])
            #expect(try await Self.inboxMessages(store, "alice") == 0, "no welcome message")
        }
    }

    @Test func postmasterMadeByHandIsNotTouched() async throws {
        try await Self.withDataFolder { store, configuration in
            let credentials = try PasswordHasher(unsafeTestIterations: 1).makeCredentials(password: "by-hand")
            _ = try await store.createAccount(name: "postmaster", credentials: credentials)
            let outcome = try await FirstStart.prepare(store: store, configuration: configuration)
            #expect(outcome == .accountsExisted(["postmaster"]))
            #expect(try await store.credentials(accountName: "postmaster")?.1 == credentials)
            #expect(try await Self.inboxMessages(store, "postmaster") == 0)
        }
    }

    /// The first start made `postmaster` and ended before its welcome message (and before the password
    /// was printed): the next start sets a password it prints, adds the welcome message once, and a
    /// further unfinished start does the same without a second welcome message.
    @Test func postmasterOfAnUnfinishedFirstStartGetsANewPassword() async throws {
        try await Self.withDataFolder { store, configuration in
            let (_, lost) = try await FirstStart.makePostmaster(
                store: store, dataDirectory: configuration.dataDirectory)
            #expect(try await Self.inboxMessages(store, "postmaster") == 0)
            var passwords: [String] = []
            for _ in 0..<2 {
                let outcome = try await FirstStart.prepare(store: store, configuration: configuration)
                guard case .resumedPostmaster(let password) = outcome else {
                    Issue.record("expected postmaster to get a new password, got \(outcome)")
                    return
                }
                passwords.append(password)
                #expect(try await Self.postmasterAccepts(password, store))
                #expect(try await Self.inboxMessages(store, "postmaster") == 1)
            }
            #expect(Set(passwords + [lost]).count == 3)
            #expect(try await !Self.postmasterAccepts(lost, store))
            #expect(try await store.listAccounts().map(\.name) == ["postmaster"])
        }
    }

    /// Once someone set postmaster's password by hand after an unfinished first start, it is theirs.
    @Test func passwordSetByHandAfterAnUnfinishedFirstStartIsKept() async throws {
        try await Self.withDataFolder { store, configuration in
            _ = try await FirstStart.makePostmaster(store: store, dataDirectory: configuration.dataDirectory)
            let mine = try PasswordHasher(unsafeTestIterations: 1).makeCredentials(password: "mine")
            try await store.setCredentials(accountName: "postmaster", credentials: mine)
            let outcome = try await FirstStart.prepare(store: store, configuration: configuration)
            #expect(outcome == .accountsExisted(["postmaster"]))
            #expect(try await store.credentials(accountName: "postmaster")?.1 == mine)
        }
    }

    @Test func reportShowsThePasswordOrTheAccounts() {
        let folder = URL(fileURLWithPath: "/srv/postern")
        let certificate = URL(fileURLWithPath: "/srv/postern/tls/cert.pem")
        let made = FirstStart.Outcome.madePostmaster(password: "pw1").report(
            dataDirectory: folder, certificates: [certificate])
        #expect(
            made == """
                Postern made its data folder at /srv/postern.
                TLS: self-signed certificate made for this data folder: /srv/postern/tls/cert.pem
                First account (the password is shown only this once):
                  user:     postmaster
                  password: pw1

                """)
        let resumed = FirstStart.Outcome.resumedPostmaster(password: "pw2").report(
            dataDirectory: folder, certificates: [certificate])
        #expect(resumed.contains("TLS: self-signed certificate made for this data folder: /srv/postern/tls/cert.pem\n"))
        #expect(resumed.contains("  password: pw2\n"))
        let existing = FirstStart.Outcome.accountsExisted(["a", "b", "c", "d", "e", "f"]).report(
            dataDirectory: folder, certificates: [])
        #expect(
            existing == """
                Postern set up its data folder at /srv/postern.
                Accounts already exist (6: a, b, c, d, e, ...): no postmaster account was made.

                """)
    }
}
