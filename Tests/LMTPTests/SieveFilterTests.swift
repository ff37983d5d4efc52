import Foundation
import Logging
import MailStore
import MailStoreConformance
import Sieve
import Testing

@testable import Delivery

/// Sieve at delivery on both engines: the account's active script (compiled once, again when it
/// changes), global scripts before and after it, a script that does not compile, duplicate tracking
/// across deliveries, and the implicit keep into the address's folder.
@Suite struct SieveFilterTests {
    func deliverer(
        _ store: any MailStore & AccountStore, before: [String] = [], after: [String] = []
    ) throws
        -> Deliverer
    {
        let compile = { (text: String) in try Sieve.compile(source: Array(text.utf8)) }
        let filter = SieveFilter(
            store: store,
            globals: .init(before: try before.map(compile), after: try after.map(compile)),
            globalDirectory: nil, spamtest: nil, virustest: nil, hostName: "mx.test", logger: Logger(label: "test"))
        return Deliverer(
            store: store, accounts: store, rules: DeliveryRules(), hostName: "mx.test", maxMessageSize: 1 << 20,
            logger: Logger(label: "test"), filter: filter)
    }

    func deliver(
        _ deliverer: Deliverer, to address: String = "alice@x.test", subject: String, id: String = "<1@x>"
    )
        async throws -> DeliveryOutcome
    {
        let local = String(address.split(separator: "@")[0])
        guard case .targets(let targets) = await deliverer.resolve(localPart: local, domain: "x.test") else {
            throw MailStoreError.accountNotFound
        }
        let incoming = try deliverer.begin(
            recipients: [(address, targets)], trace: TraceHeaders(sender: "s@y.test", hostName: "mx", received: nil))
        incoming.write(Array("Message-ID: \(id)\r\nFrom: s@y.test\r\nSubject: \(subject)\r\n\r\nbody\r\n".utf8))
        return try #require(await incoming.finish().first)
    }

    func count(_ store: any MailStore & AccountStore, _ account: AccountID, _ folder: String) async throws -> Int {
        guard try await store.mailbox(account: account, name: folder) != nil else { return 0 }
        return try await DelivererTests.contents(store, account, folder).count
    }

    @Test(arguments: DelivererTests.engines())
    func activeScriptFilesAndFlags(_ engine: String) async throws {
        try await DelivererTests.withStore(engine) { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let script = """
                require ["fileinto", "imap4flags", "mailbox"];
                if header :contains "subject" "news" { fileinto :create "News"; }
                elsif header :contains "subject" "boss" { addflag "\\\\Flagged"; }
                """
            try await store.putSieveScript(account: alice, name: "main", source: Array(script.utf8), maxScripts: 5)
            let deliverer = try deliverer(store)
            #expect(try await deliver(deliverer, subject: "daily news") == .delivered, "inactive: plain delivery")
            #expect(try await count(store, alice, "INBOX") == 1)
            try await store.setActiveSieveScript(account: alice, name: "main")
            #expect(try await deliver(deliverer, subject: "weekly news") == .delivered)
            #expect(try await deliver(deliverer, subject: "boss here") == .delivered)
            #expect(try await count(store, alice, "News") == 1)
            let inbox = try await MailStoreConformance.mailboxID(store, alice, "INBOX")
            let flags = try await store.messages(account: alice, mailbox: inbox, uids: UIDSet(ranges: [1...10])).map(
                \.flags)
            #expect(flags == [MessageFlags(), MessageFlags(system: .flagged)])
            // A changed script is compiled again; one that does not compile keeps the message in INBOX.
            try await store.putSieveScript(account: alice, name: "main", source: Array("discard;".utf8), maxScripts: 5)
            #expect(try await deliver(deliverer, subject: "gone") == .delivered)
            #expect(try await count(store, alice, "INBOX") == 2)
            try await store.putSieveScript(account: alice, name: "main", source: Array("if {".utf8), maxScripts: 5)
            #expect(try await deliver(deliverer, subject: "kept") == .delivered)
            #expect(try await count(store, alice, "INBOX") == 3)
        }
    }

    @Test func globalScriptsRunAroundTheAccountsWhileTheyKeep() async throws {
        try await DelivererTests.withStore("memory") { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let mine = "require \"fileinto\";\nif header :contains \"subject\" \"mine\" { fileinto \"Archive\"; }\n"
            try await store.putSieveScript(account: alice, name: "m", source: Array(mine.utf8), maxScripts: 5)
            try await store.setActiveSieveScript(account: alice, name: "m")
            let deliverer = try deliverer(
                store,
                before: ["require \"fileinto\";\nif header :contains \"subject\" \"spam\" { fileinto \"Junk\"; }\n"],
                after: ["require \"imap4flags\";\naddflag \"after\";\n"])
            #expect(try await deliver(deliverer, subject: "spam mine") == .delivered)
            #expect(try await count(store, alice, "Junk") == 1)
            #expect(try await count(store, alice, "Archive") == 0)
            #expect(try await deliver(deliverer, subject: "mine") == .delivered)
            #expect(try await count(store, alice, "Archive") == 1)
            #expect(try await deliver(deliverer, subject: "other") == .delivered)
            let inbox = try await MailStoreConformance.mailboxID(store, alice, "INBOX")
            let flags = try await store.messages(account: alice, mailbox: inbox, uids: UIDSet(ranges: [1...10])).map(
                \.flags)
            #expect(flags == [MessageFlags(keywords: ["after"])], "the after script ran only where the keep stayed")
        }
    }

    @Test(arguments: DelivererTests.engines())
    func duplicatesAreRecognisedAcrossDeliveries(_ engine: String) async throws {
        try await DelivererTests.withStore(engine) { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let script = "require [\"duplicate\", \"fileinto\"];\nif duplicate { fileinto \"Trash\"; }\n"
            try await store.putSieveScript(account: alice, name: "d", source: Array(script.utf8), maxScripts: 5)
            try await store.setActiveSieveScript(account: alice, name: "d")
            let deliverer = try deliverer(store)
            #expect(try await deliver(deliverer, subject: "one", id: "<same@x>") == .delivered)
            #expect(try await deliver(deliverer, subject: "two", id: "<same@x>") == .delivered)
            #expect(try await deliver(deliverer, subject: "three", id: "<other@x>") == .delivered)
            #expect(try await count(store, alice, "INBOX") == 2)
            #expect(try await count(store, alice, "Trash") == 1)
        }
    }

    @Test func implicitKeepGoesToTheAddressFolder() async throws {
        try await DelivererTests.withStore("memory") { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            _ = try await store.createMailbox(account: alice, name: "lists", specialUse: nil)
            try await store.putSieveScript(account: alice, name: "k", source: Array("# nothing\n".utf8), maxScripts: 5)
            try await store.setActiveSieveScript(account: alice, name: "k")
            #expect(try await deliver(try deliverer(store), to: "alice+lists@x.test", subject: "l") == .delivered)
            #expect(try await count(store, alice, "lists") == 1)
        }
    }
}
