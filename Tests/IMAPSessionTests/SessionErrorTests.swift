import Foundation
import MailStore
import Testing

/// Every handler's answer when the store fails: `NO [SERVERBUG]` without the error's text (RFC 9051
/// §7.1: a server-side problem, not the client's), and the session stays usable.
@Suite struct SessionErrorTests {
    /// Each command, what its handler calls in the store (space-separated, when it may call either),
    /// and whether it needs a selected mailbox.
    static let cases: [(command: String, failing: String, selected: Bool)] = [
        ("SELECT INBOX", "snapshot", false), ("EXAMINE INBOX", "snapshot", false),
        ("CREATE Projects", "createMailbox", false), ("DELETE Archive", "deleteMailbox", false),
        ("RENAME Archive Old", "renameMailbox", false), ("SUBSCRIBE Archive", "setSubscribed", false),
        ("LIST \"\" *", "listMailboxes", false), ("LSUB \"\" *", "subscriptions", false),
        ("STATUS INBOX (MESSAGES UNSEEN)", "status", false),
        ("FETCH 1:* (FLAGS)", "flagIndex", true), ("FETCH 1 (BODY.PEEK[])", "content", true),
        ("FETCH 1 (ENVELOPE)", "renderings", true), ("STORE 1 +FLAGS (\\Flagged)", "store", true),
        ("SEARCH BODY hello", "content", true), ("SEARCH UNSEEN", "uids flagIndex", true),
        ("COPY 1 Archive", "copy", true), ("MOVE 1 Archive", "move", true),
        ("EXPUNGE", "expunge", true), ("UID EXPUNGE 1", "expunge", true),
    ]

    @Test(arguments: Engine.allCases)
    func storeFailuresAreServerBugs(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let failing = FailingStore(environment.store)
        for (number, item) in Self.cases.enumerated() {
            let client = await environment.client(loggedInAs: SessionEnvironment.user, store: failing)
            await client.append("INBOX", SessionClient.message("hello \(number)"), flags: "\\Deleted")
            if item.selected { #expect(await client.command("s SELECT INBOX").last?.hasPrefix("s OK") == true) }
            failing.fail(Set(item.failing.split(separator: " ").map(String.init)))
            let answer = await client.command("t\(number) \(item.command)")
            failing.fail([])
            #expect(answer.last?.hasPrefix("t\(number) NO [SERVERBUG] ") == true, "\(item.command): \(answer)")
            #expect(!answer.contains { $0.contains("disk on fire") || $0.contains("/srv/") }, "\(item.command)")
            #expect(await client.command("n NOOP").last == "n OK NOOP completed", "\(item.command)")
            await client.disconnect()
        }
    }

    /// APPEND: a failed commit stores nothing and says so; the staged file is not left behind.
    @Test(arguments: Engine.allCases)
    func failedAppendStoresNothing(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let failing = FailingStore(environment.store)
        let client = await environment.client(loggedInAs: SessionEnvironment.user, store: failing)
        failing.fail(["append"])
        let answer = await client.append("INBOX", SessionClient.message("lost"))
        #expect(answer.last?.hasPrefix("A NO [SERVERBUG] ") == true, "\(answer)")
        failing.fail(["stageMessage"])
        let staged = await client.append("INBOX", SessionClient.message("not staged"), tag: "B")
        #expect(staged.last?.hasPrefix("B NO [SERVERBUG] ") == true, "\(staged)")
        failing.fail([])
        #expect(await client.command("s STATUS INBOX (MESSAGES)").first == "* STATUS INBOX (MESSAGES 0)")
        await client.disconnect()
    }
}
