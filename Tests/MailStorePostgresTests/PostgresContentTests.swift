import Foundation
import Logging
import MailStore
import Testing

@testable import MailStorePostgres

/// What only the PostgreSQL engine has: content in chunk rows, stored once per distinct text. Needs
/// `POSTERN_TEST_POSTGRES_URL` (skipped without it, except under CI=true, where it fails).
@Suite(.enabled(if: TestDatabase.url != nil || TestDatabase.isCI, "POSTERN_TEST_POSTGRES_URL is not set"))
struct PostgresContentTests {
    func withStore(
        retainedBudget: Int = PostgresMailStore.Limits.retainedBytes, _ body: (PostgresMailStore) async throws -> Void
    ) async throws {
        var url = try PostgresStoreURL(
            try #require(TestDatabase.url, "CI=true but POSTERN_TEST_POSTGRES_URL is not set"))
        url.schema = "c_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        url.poolSize = 4
        var logger = Logger(label: "postgres-content-test")
        logger.logLevel = .warning
        // Many tests start at once on a busy machine: a slow connection is not an outage here.
        let store = try PostgresMailStore(
            url: url, password: nil, leaseTimeout: .seconds(120), retainedBudget: retainedBudget, logger: logger)
        try await store.withRunning { store in
            do {
                try await body(store)
            } catch {
                try? await store.dropSchema()
                throw error
            }
            try await store.dropSchema()
        }
    }

    func stage(_ store: PostgresMailStore, _ bytes: [UInt8]) throws -> StagedMessage {
        let writer = try store.stageMessage(maxSize: 64 << 20)
        try writer.write(bytes)
        return try writer.finish()
    }

    /// A text of several chunks (not a multiple of the chunk size) is stored in chunk rows and read back
    /// whole and in pieces of every awkward size.
    @Test func multiChunkMessage() async throws {
        try await withStore { store in
            let account = try await store.createAccount(name: "alice", credentials: Self.credentials)
            let inbox = try #require(try await store.mailbox(account: account, name: "INBOX")).id
            let size = 3 * PostgresMailStore.Limits.chunkSize + 12_345
            let text = Array("Subject: big\r\n\r\n".utf8) + (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let uid = try await store.append(
                account: account, mailbox: inbox, message: stage(store, text), flags: MessageFlags(),
                internalDate: Date()
            ).uid
            let chunks = (text.count + PostgresMailStore.Limits.chunkSize - 1) / PostgresMailStore.Limits.chunkSize
            #expect(chunks == 4)
            #expect(try await store.contentCounts() == (1, chunks))
            #expect(try await store.content(account: account, mailbox: inbox, uid: uid) == Data(text))
            for piece in [1, 4096, PostgresMailStore.Limits.chunkSize - 1, PostgresMailStore.Limits.chunkSize + 1] {
                let content = try #require(try await store.openContent(account: account, mailbox: inbox, uid: uid))
                #expect(content.size == text.count)
                var read: [UInt8] = []
                while true {
                    let next = try content.read(upTo: piece)
                    if next.isEmpty { break }
                    read += next
                    if piece == 1 && read.count >= 10_000 {
                        try content.skip(text.count - read.count)
                        read += text[read.count...]
                    }
                }
                #expect(read == text)
            }
        }
    }

    /// Equal texts appended apart share one stored content (but are two messages, with two EMAILIDs);
    /// copies share it too; the content goes with its last message.
    @Test func contentStoredOnceAndFreedWithTheLast() async throws {
        try await withStore { store in
            let account = try await store.createAccount(name: "alice", credentials: Self.credentials)
            let inbox = try #require(try await store.mailbox(account: account, name: "INBOX")).id
            let archive = try #require(try await store.mailbox(account: account, name: "Archive")).id
            let text = Array("Subject: same\r\n\r\nsame text\r\n".utf8)
            for mailbox in [inbox, archive] {
                _ = try await store.append(
                    account: account, mailbox: mailbox, message: stage(store, text), flags: .init(system: .deleted),
                    internalDate: Date())
            }
            _ = try await store.copy(account: account, from: inbox, uids: UIDSet([1]), to: archive)
            #expect(try await store.contentCounts() == (1, 1))
            let ids = try await store.messages(account: account, mailbox: archive, uids: UIDSet([1, 2])).map(\.emailID)
            #expect(ids.count == 2 && ids[0] != ids[1])
            _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
            #expect(try await store.contentCounts() == (1, 1))
            _ = try await store.expunge(account: account, mailbox: archive, uids: nil)
            #expect(try await store.contentCounts() == (0, 0))
        }
    }

    /// Expunged texts kept for a session not yet told stay within the node's budget: past it a message
    /// keeps its metadata only, and the budget is given back when the session lets go.
    @Test func retainedTextsStayWithinTheBudget() async throws {
        let text = Array("Subject: kept\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: 1000)
        try await withStore(retainedBudget: 2 * text.count + 10) { store in
            let account = try await store.createAccount(name: "alice", credentials: Self.credentials)
            let inbox = try #require(try await store.mailbox(account: account, name: "INBOX")).id
            for _ in 0..<3 {
                _ = try await store.append(
                    account: account, mailbox: inbox, message: stage(store, text), flags: .init(system: .deleted),
                    internalDate: Date())
            }
            var viewer: ExpungeRetention.Viewer? = store.changeHub.retention.view(account: account, mailbox: inbox)
            #expect(try await store.expunge(account: account, mailbox: inbox, uids: nil) == [1, 2, 3])
            let kept = (1...3).compactMap {
                store.changeHub.retention.message(account: account, mailbox: inbox, uid: $0)
            }
            #expect(kept.count == 3)
            var texts: [[UInt8]?] = []
            for message in kept { texts.append(try await message.open()?.readAll()) }
            #expect(texts == [text, text, nil])
            #expect(store.retainedBytes.load(ordering: .relaxed) == 2 * text.count)
            withExtendedLifetime(viewer) {}
            viewer = nil
            #expect(store.retainedBytes.load(ordering: .relaxed) == 0)
        }
    }

    static let credentials = StoredCredentials(salt: [1, 2, 3], iterations: 4096, storedKey: [4], serverKey: [5])
}

/// The database of these tests (see scripts/pg-cluster.sh).
enum TestDatabase {
    static var url: String? { ProcessInfo.processInfo.environment["POSTERN_TEST_POSTGRES_URL"] }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}
