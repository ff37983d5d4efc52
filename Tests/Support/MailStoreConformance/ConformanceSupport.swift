import Foundation
import MailStore
import Testing

/// Engine-independent semantic tests of `MailStore`. Each static function checks one property on a
/// fresh, empty store; `MailStoreConformanceTests` runs every one of them on every engine. The
/// helpers here also serve an engine's own tests.
public enum MailStoreConformance {
    /// Cheap verifiers for tests (real ones use `PasswordHasher()`).
    public static let hasher = PasswordHasher(unsafeTestIterations: 64)

    public static func credentials(_ password: String = "secret") throws -> StoredCredentials {
        try hasher.makeCredentials(password: password)
    }

    public static func makeAccount(
        _ store: any MailStore & AccountStore, _ name: String = "alice"
    ) async throws -> AccountID {
        try await store.createAccount(name: name, credentials: credentials())
    }

    public static func stage(_ store: any MailStore & AccountStore, _ text: String) throws -> StagedMessage {
        let writer = try store.stageMessage(maxSize: 64 << 20)
        try writer.write(Array(text.utf8))
        return try writer.finish()
    }

    /// Where the engine stages messages (found through a message staged and dropped at once).
    public static func stagingDirectory(_ store: any MailStore & AccountStore) -> URL {
        guard let probe = try? store.stageMessage(maxSize: 1) else { return URL(fileURLWithPath: "/nonexistent") }
        defer { probe.abort() }
        return probe.url.deletingLastPathComponent()
    }

    public static func message(_ n: Int) -> String {
        "Subject: test \(n)\r\nFrom: a@example.org\r\n\r\nBody number \(n).\r\n"
    }

    @discardableResult
    public static func append(
        _ store: any MailStore & AccountStore, _ account: AccountID, _ mailbox: MailboxID, _ text: String,
        flags: MessageFlags = MessageFlags(), date: Date = Date(timeIntervalSince1970: 1_700_000_000)
    ) async throws -> AppendResult {
        try await store.append(
            account: account, mailbox: mailbox, message: stage(store, text), flags: flags, internalDate: date)
    }

    public static func mailboxID(
        _ store: any MailStore & AccountStore, _ account: AccountID, _ name: String
    ) async throws -> MailboxID {
        let info = try await store.mailbox(account: account, name: name)
        return try #require(info).id
    }

    /// Fills a mailbox with `count` messages and returns their UIDs.
    public static func fill(
        _ store: any MailStore & AccountStore, _ account: AccountID, _ mailbox: MailboxID, count: Int
    ) async throws -> [UID] {
        var uids: [UID] = []
        for i in 0..<count { uids.append(try await append(store, account, mailbox, message(i)).uid) }
        return uids
    }

    public static func expectError<T>(
        _ expected: MailStoreError, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> T
    ) async {
        do {
            _ = try await body()
            Issue.record("expected \(expected), got success", sourceLocation: sourceLocation)
        } catch let error as MailStoreError {
            switch (expected, error) {
            case (.invalidAccountName, .invalidAccountName), (.invalidMailboxName, .invalidMailboxName),
                (.invalidAppPasswordLabel, .invalidAppPasswordLabel), (.internal, .internal):
                break
            default:
                #expect(error == expected, sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
        }
    }
}

extension MessageFlags {
    public static let seen = MessageFlags(system: .seen)
    public static let deleted = MessageFlags(system: .deleted)
}

/// A fresh directory, removed after `body`.
public func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer {
        // An engine may still be closing its files when it is released: retry briefly.
        for _ in 0..<5 where FileManager.default.fileExists(atPath: url.path) {
            try? FileManager.default.removeItem(at: url)
            if FileManager.default.fileExists(atPath: url.path) { usleep(20_000) }
        }
    }
    return try await body(url)
}
