import Foundation
import IMAPSession
import Logging
import MailStore
import MailStoreMemory
import MailStoreSQLite

/// The store engines the session tests run on.
enum Engine: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory
    case sqlite

    var description: String { rawValue }
}

/// A fresh store with two accounts, and sessions on it as the server would make them (over TLS).
final class SessionEnvironment: Sendable {
    static let user = "alice"
    static let password = "Alice-pw 1!x"
    static let user2 = "bob"
    static let password2 = "b0b-Secret_pw"
    /// The server's default APPENDLIMIT (the transcripts expect it).
    static let maxMessageSize = 64 * 1024 * 1024

    let store: any MailStore & AccountStore
    let authenticator: Authenticator
    private let directory: URL?

    init(engine: Engine) async throws {
        switch engine {
        case .memory:
            directory = nil
            store = try MemoryMailStore()
        case .sqlite:
            let url = FileManager.default.temporaryDirectory
                .appendingPathComponent("postern-session-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            directory = url
            store = try SQLiteMailStore(dataDirectory: url)
        }
        authenticator = Authenticator(accounts: store, dummyIterations: 64)
        let hasher = PasswordHasher(unsafeTestIterations: 64)
        _ = try await store.createAccount(name: Self.user, credentials: hasher.makeCredentials(password: Self.password))
        _ = try await store.createAccount(
            name: Self.user2, credentials: hasher.makeCredentials(password: Self.password2))
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func configuration(store: (any MailStore)? = nil) -> SessionConfiguration {
        var logger = Logger(label: "postern.test.session")
        logger.logLevel = .critical
        return SessionConfiguration(
            store: store ?? self.store, authenticator: authenticator, hostName: "localhost", tlsActive: true,
            startTLSAvailable: false, maxMessageSize: Self.maxMessageSize, authenticatedIdleTimeout: 1800,
            idleKeepaliveInterval: .seconds(3600), failedLoginDelay: .zero, logger: logger)
    }

    /// A new session, greeted, on this environment's configuration as `adjust` changes it.
    func client(adjusting adjust: (inout SessionConfiguration) -> Void) async -> SessionClient {
        var configuration = configuration()
        adjust(&configuration)
        let client = await SessionClient(configuration: configuration)
        _ = client.lines()
        return client
    }

    /// A new session, greeted; logged in as `user` when given.
    func client(loggedInAs user: String? = nil, store: (any MailStore)? = nil) async -> SessionClient {
        let client = await SessionClient(configuration: configuration(store: store))
        _ = client.lines()
        if let user {
            let password = user == Self.user2 ? Self.password2 : Self.password
            await client.send("L0 LOGIN \"\(user)\" \"\(password)\"\r\n")
            _ = client.lines()
        }
        return client
    }
}
