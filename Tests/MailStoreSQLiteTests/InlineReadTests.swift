import Dispatch
import Foundation
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// One thread for many tasks, like a server's event loop (`EventLoopTaskExecutor`).
final class SerialTaskExecutor: TaskExecutor, Sendable {
    let queue = DispatchQueue(label: "test.serial-executor")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Inline reads (on the caller's thread) and reads on GRDB's queues, mixed by many tasks that share
/// one thread: the inline ones must never wait on an async one (whose connection is only returned
/// once its task runs again on that same thread). That was a deadlock before `inlinePool`.
@Suite struct InlineReadTests {
    @Test(.timeLimit(.minutes(1))) func inlineAndQueuedReadsOnOneThreadDoNotDeadlock() async throws {
        try await withSQLiteStore { store in
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            _ = try await MailStoreConformance.fill(store, account, inbox, count: 3)
            let executor = SerialTaskExecutor()
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 {
                    group.addTask(executorPreference: executor) {
                        var seen = 0
                        for _ in 0..<40 {
                            // status and snapshot go through GRDB's reader queue; mailbox(name:) and
                            // messages of a few UIDs run inline.
                            async let status = store.status(account: account, mailbox: inbox)
                            let found = try await store.mailbox(account: account, name: "INBOX")
                            let metas = try await store.messages(
                                account: account, mailbox: inbox, uids: UIDSet([1, 2, 3]))
                            let snapshot = try await store.snapshot(
                                account: account, mailbox: inbox, markRecentSeen: false)
                            seen += (found != nil ? 1 : 0) + metas.count + snapshot.uids.count
                            seen += try await status.messages
                        }
                        return seen
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(counts == Array(repeating: 40 * (1 + 3 + 3 + 3), count: 24))
        }
    }
}
