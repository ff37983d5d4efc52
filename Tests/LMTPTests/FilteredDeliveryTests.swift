import Foundation
import Logging
import MailRelay
import MailStore
import MailStoreConformance
import SMTPTestServer
import Testing

@testable import Delivery

/// A filter that answers every account with one decision (none for accounts it does not name).
struct FixedFilter: DeliveryFilter {
    var decisions: [String: FilterDecision]

    func decide(_ input: FilterInput) async -> FilterDecision? { decisions[input.accountName] }
}

/// A filter's decision applied: filings in one commit, flags, :create, discard, reject, redirects and
/// vacation replies through a relay (once per period), and a failing relay keeping the message.
@Suite struct FilteredDeliveryTests {
    static let message = "Message-ID: <m1@example.com>\r\nSubject: Lunch\r\n\r\nbody\r\n"

    func deliver(
        _ store: any MailStore & AccountStore, _ decision: FilterDecision, relayPort: Int? = nil,
        sender: String = "s@example.com"
    ) async throws -> DeliveryOutcome {
        let relay = relayPort.map {
            SMTPRelay(endpoint: RelayEndpoint(host: "127.0.0.1", port: $0), heloName: "mx.test")
        }
        let deliverer = Deliverer(
            store: store, accounts: store, rules: DeliveryRules(), hostName: "mx.test", maxMessageSize: 1 << 20,
            logger: Logger(label: "test"), filter: FixedFilter(decisions: ["alice": decision]), relay: relay)
        guard case .targets(let targets) = await deliverer.resolve(localPart: "alice", domain: "x.test") else {
            throw MailStoreError.accountNotFound
        }
        let incoming = try deliverer.begin(
            recipients: [("alice@x.test", targets)], trace: TraceHeaders(sender: sender, hostName: "mx", received: nil))
        incoming.write(Array(Self.message.utf8))
        let outcome = try #require(await incoming.finish().first)
        #expect(try DelivererTests.stagedFiles(store).isEmpty)
        return outcome
    }

    func flags(
        _ store: any MailStore & AccountStore, _ account: AccountID, _ folder: String
    ) async throws
        -> [MessageFlags]
    {
        let box = try await MailStoreConformance.mailboxID(store, account, folder)
        return try await store.messages(account: account, mailbox: box, uids: UIDSet(ranges: [1...UID.max])).map(
            \.flags)
    }

    @Test(arguments: DelivererTests.engines())
    func filingsFlagsAndCreate(_ engine: String) async throws {
        try await DelivererTests.withStore(engine) { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            _ = try await store.createMailbox(account: alice, name: "Work", specialUse: nil)
            let decision = FilterDecision(filings: [
                .init(mailbox: "work", flags: MessageFlags(system: .flagged)),
                .init(mailbox: "Lists/New", create: true), .init(mailbox: "Nowhere"),
                .init(mailbox: "INBOX", flags: MessageFlags(keywords: ["Boss"])),
            ])
            #expect(try await deliver(store, decision) == .delivered)
            #expect(try await flags(store, alice, "Work") == [MessageFlags(system: .flagged)])
            #expect(try await flags(store, alice, "Lists/New") == [MessageFlags()])
            // A missing folder without :create means INBOX; INBOX named twice is one copy with the last flags.
            #expect(try await flags(store, alice, "INBOX") == [MessageFlags(keywords: ["Boss"])])
            #expect(try await DelivererTests.contents(store, alice, "Work").first?.hasSuffix(Self.message) == true)
        }
    }

    @Test(arguments: DelivererTests.engines())
    func discardRejectAndFailure(_ engine: String) async throws {
        try await DelivererTests.withStore(engine) { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            #expect(try await deliver(store, FilterDecision()) == .delivered)
            #expect(try await deliver(store, FilterDecision(reject: "Go\r\naway")) == .rejected("Go away"))
            #expect(try await DelivererTests.contents(store, alice, "INBOX").isEmpty)
            #expect(try await deliver(store, .keepAfterFailure("line 1: boom")) == .delivered)
            #expect(try await DelivererTests.contents(store, alice, "INBOX").count == 1)
            try await store.setQuota(account: alice, limits: QuotaLimits(messages: 2))
            let two = FilterDecision(filings: [.init(mailbox: "INBOX"), .init(mailbox: "Archive", create: true)])
            #expect(try await deliver(store, two) == .overQuota, "both copies or none")
            #expect(try await DelivererTests.contents(store, alice, "INBOX").count == 1)
        }
    }

    @Test func redirectAndVacationGoThroughTheRelayOnce() async throws {
        let relay = ScriptedSMTPServer()
        let port = try await relay.start()
        defer { Task { try? await relay.stop() } }
        try await DelivererTests.withStore("memory") { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let reply = VacationReply(
                from: "alice@x.test", to: "s@example.com", subject: nil, originalSubject: "Lunch",
                originalMessageID: "<m1@example.com>", originalReferences: nil, reason: "Away", mime: false)
            let decision = FilterDecision(
                redirects: ["bob@elsewhere.test"],
                vacation: .init(reply: reply, trackingKey: "s@example.com away", seconds: 3600))
            #expect(try await deliver(store, decision, relayPort: port) == .delivered)
            #expect(try await deliver(store, decision, relayPort: port) == .delivered)
            let lines = relay.received.withLock { $0 }
            #expect(
                lines.filter { $0 == "RCPT TO:<bob@elsewhere.test>" }.count == 1, "the same message is redirected once")
            #expect(lines.filter { $0 == "RCPT TO:<s@example.com>" }.count == 1, "one reply per period")
            #expect(lines.contains("MAIL FROM:<s@example.com>") && lines.contains("MAIL FROM:<>"))
            let sent = relay.messages.withLock { $0 }
            #expect(sent.count == 2)
            #expect(sent.first?.hasPrefix("Delivered-To: alice@x.test\r\n") == true, "no Return-Path on a redirect")
            #expect(sent.last?.contains("Subject: Auto: Lunch\r\n") == true)
            #expect(try await DelivererTests.contents(store, alice, "INBOX").isEmpty, "redirect alone keeps nothing")
        }
    }

    @Test func aFailedRedirectKeepsTheMessage() async throws {
        let closed = ScriptedSMTPServer()
        let port = try await closed.start()
        try await closed.stop()
        try await DelivererTests.withStore("memory") { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            #expect(try await deliver(store, FilterDecision(redirects: ["bob@y.test"]), relayPort: port) == .delivered)
            #expect(try await DelivererTests.contents(store, alice, "INBOX").count == 1)
            #expect(try await deliver(store, FilterDecision(redirects: ["bob@y.test"])) == .delivered, "no relay")
            #expect(try await DelivererTests.contents(store, alice, "INBOX").count == 2)
        }
    }
}
