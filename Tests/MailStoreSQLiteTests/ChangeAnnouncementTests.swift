import Foundation
import MailStore
import MailStoreConformance
import MailStoreSQLite
import Testing

/// Changes that a tool (`postern deliver`, `import`) makes through its own store reach the server's
/// sessions: published on the server's hub before the tool's call returns, and the server's cached
/// view of the mailbox is brought up to date.
@Suite struct ChangeAnnouncementTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var token: WatchToken?
        func bump() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    @Test func toolAppendWakesServerSessionsBeforeItReturns() async throws {
        try await withTemporaryDirectory { url in
            let server = try SQLiteMailStore(dataDirectory: url, role: .server)
            defer { server.close() }
            let alice = try await MailStoreConformance.makeAccount(server)
            let inbox = try await MailStoreConformance.mailboxID(server, alice, "INBOX")
            // The server's view of INBOX is cached before the tool writes.
            #expect(try await server.snapshot(account: alice, mailbox: inbox, markRecentSeen: false).uids.isEmpty)
            let counter = Counter()
            counter.token = server.changeHub.watch(mailbox: inbox) { counter.bump() }
            let tool = try SQLiteMailStore(dataDirectory: url, role: .tool)
            try await MailStoreConformance.append(tool, alice, inbox, MailStoreConformance.message(1))
            #expect(counter.value >= 1)
            let snapshot = try await server.snapshot(account: alice, mailbox: inbox, markRecentSeen: false)
            #expect(snapshot.uids.count == 1)
            tool.close()
        }
    }

    @Test func changesAreFoundWithoutAPokeToo() async throws {
        try await withTemporaryDirectory { url in
            let server = try SQLiteMailStore(dataDirectory: url, role: .server)
            defer { server.close() }
            let alice = try await MailStoreConformance.makeAccount(server)
            let inbox = try await MailStoreConformance.mailboxID(server, alice, "INBOX")
            let counter = Counter()
            counter.token = server.changeHub.watch(mailbox: inbox) { counter.bump() }
            // The poke socket is gone (as after a failed bind): the once-a-second check still finds it.
            unlink(url.appendingPathComponent("changes.sock").path)
            let tool = try SQLiteMailStore(dataDirectory: url, role: .tool)
            try await MailStoreConformance.append(tool, alice, inbox, MailStoreConformance.message(1))
            let deadline = ContinuousClock.now + .seconds(5)
            while counter.value == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(counter.value >= 1)
            tool.close()
        }
    }
}
