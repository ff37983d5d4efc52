import Delivery
import Foundation
import Logging
import MailStore
import MailStoreConformance
import MailStoreMemory
import MailStoreSQLite
import Testing

/// The one delivery path (LMTP and `postern deliver`) on both engines: a copy per recipient with its own
/// trace headers, per-recipient outcomes (quota, size), folders from the detail, aliases, and nothing
/// left behind by a message that is dropped.
@Suite struct DelivererTests {
    static func engines() -> [String] { ["memory", "sqlite"] }

    static func withStore(_ engine: String, _ body: (any MailStore & AccountStore) async throws -> Void) async throws {
        if engine == "memory" {
            try await body(try MemoryMailStore())
        } else {
            try await withTemporaryDirectory { url in
                let store = try SQLiteMailStore(dataDirectory: url)
                defer { store.close() }
                try await body(store)
            }
        }
    }

    static func deliverer(_ store: any MailStore & AccountStore, maxSize: Int = 1 << 20) -> Deliverer {
        var rules = DeliveryRules()
        rules.addAlias("team", targets: ["alice", "carol"])
        return Deliverer(
            store: store, accounts: store, rules: rules, hostName: "mx.test", maxMessageSize: maxSize,
            logger: Logger(label: "test"))
    }

    static func contents(
        _ store: any MailStore & AccountStore, _ account: AccountID, _ folder: String
    ) async throws
        -> [String]
    {
        let mailbox = try await MailStoreConformance.mailboxID(store, account, folder)
        let snapshot = try await store.snapshot(account: account, mailbox: mailbox, markRecentSeen: false)
        var out: [String] = []
        for uid in snapshot.uids {
            let data = try #require(try await store.content(account: account, mailbox: mailbox, uid: uid))
            out.append(String(decoding: data, as: UTF8.self))
        }
        return out
    }

    func targets(_ deliverer: Deliverer, _ address: String, folder: String? = nil) async throws -> [DeliveryTarget] {
        let parts = address.split(separator: "@").map(String.init)
        guard
            case .targets(let found) = await deliverer.resolve(localPart: parts[0], domain: parts.last, folder: folder)
        else {
            Issue.record("\(address) did not resolve")
            return []
        }
        return found
    }

    @Test(arguments: engines())
    func perRecipientOutcomesAndTraceHeaders(_ engine: String) async throws {
        try await Self.withStore(engine) { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let bob = try await MailStoreConformance.makeAccount(store, "bob")
            let carol = try await MailStoreConformance.makeAccount(store, "carol")
            try await store.setQuota(account: bob, limits: QuotaLimits(messages: 0))
            let deliverer = Self.deliverer(store)
            let recipients = [
                ("alice@x.test", try await targets(deliverer, "alice@x.test")),
                ("bob@x.test", try await targets(deliverer, "bob@x.test")),
                ("carol+Archive@x.test", try await targets(deliverer, "carol+Archive@x.test")),
            ]
            let trace = TraceHeaders(sender: "s@r.test", hostName: "mx.test", received: nil)
            let message = try deliverer.begin(recipients: recipients, trace: trace)
            message.write(Array("Subject: hi\r\n\r\n".utf8))
            message.write(Array("body\r\n".utf8))
            #expect(await message.finish() == [.delivered, .overQuota, .delivered])
            #expect(
                try await Self.contents(store, alice, "INBOX") == [
                    "Return-Path: <s@r.test>\r\nDelivered-To: alice@x.test\r\nSubject: hi\r\n\r\nbody\r\n"
                ])
            #expect(
                try await Self.contents(store, carol, "Archive") == [
                    "Return-Path: <s@r.test>\r\nDelivered-To: carol+Archive@x.test\r\nSubject: hi\r\n\r\nbody\r\n"
                ])
            #expect(try await Self.contents(store, bob, "INBOX").isEmpty)
            #expect(try Self.stagedFiles(store).isEmpty)
        }
    }

    @Test(arguments: engines())
    func tooLargeStoresNothing(_ engine: String) async throws {
        try await Self.withStore(engine) { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let deliverer = Self.deliverer(store, maxSize: 100)
            let message = try deliverer.begin(
                recipients: [("alice", try await targets(deliverer, "alice"))],
                trace: TraceHeaders(sender: nil, hostName: "h", received: nil))
            for _ in 0..<10 { message.write(Array(repeating: UInt8(ascii: "x"), count: 20)) }
            #expect(message.tooLarge)
            #expect(await message.finish() == [.tooLarge])
            #expect(try await Self.contents(store, alice, "INBOX").isEmpty)
            #expect(try Self.stagedFiles(store).isEmpty)
        }
    }

    @Test(arguments: engines())
    func aliasesFoldersAndUnknownUsers(_ engine: String) async throws {
        try await Self.withStore(engine) { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let carol = try await MailStoreConformance.makeAccount(store, "carol")
            let deliverer = Self.deliverer(store)
            #expect(await deliverer.resolve(localPart: "nobody", domain: "x") == .noSuchUser)
            let team = try await targets(deliverer, "team@x")
            #expect(team.map(\.accountName) == ["alice", "carol"])
            let explicit = try await targets(deliverer, "alice@x", folder: "no such folder")
            let message = try deliverer.begin(
                recipients: [("team@x", team), ("alice@x", explicit)],
                trace: TraceHeaders(sender: nil, hostName: "h", received: nil))
            message.write(Array("Subject: t\r\n\r\n".utf8))
            #expect(await message.finish() == [.delivered, .delivered])
            #expect(try await Self.contents(store, alice, "INBOX").count == 2)
            #expect(try await Self.contents(store, carol, "INBOX").count == 1)
        }
    }

    @Test(arguments: engines())
    func abortLeavesNothing(_ engine: String) async throws {
        try await Self.withStore(engine) { store in
            _ = try await MailStoreConformance.makeAccount(store)
            let deliverer = Self.deliverer(store)
            let message = try deliverer.begin(
                recipients: [("alice", try await targets(deliverer, "alice"))],
                trace: TraceHeaders(sender: nil, hostName: "h", received: nil))
            message.write(Array("Subject: t\r\n".utf8))
            message.abort()
            #expect(try Self.stagedFiles(store).isEmpty)
        }
    }

    @Test func combiningAnAliasTargetsOutcomes() {
        #expect(IncomingMessage.combine([.delivered, .overQuota]) == .delivered)
        #expect(IncomingMessage.combine([.delivered, .temporaryFailure]) == .temporaryFailure)
        #expect(IncomingMessage.combine([.overQuota, .tooLarge]) == .overQuota)
        #expect(IncomingMessage.combine([]) == .noSuchUser)
    }

    static func stagedFiles(_ store: any MailStore & AccountStore) throws -> [String] {
        let directory = MailStoreConformance.stagingDirectory(store)
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
    }
}
