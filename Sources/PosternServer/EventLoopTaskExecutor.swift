import NIOCore

/// Runs a session task on its connection's event loop.
///
/// Why: a session's work is a chain of short steps (a framed command, a few store reads, a response
/// written to the channel). On Swift's global cooperative pool every step crossed threads twice: the
/// event loop woke a pool thread for each command, and each write hopped back to the event loop. The
/// profile of `Benchmarks/run.sh steady` showed a quarter of the server's CPU in futex wake-ups and thread
/// switches. With the event loop as the task's preferred executor, the command, its small store reads
/// (which the SQLite engine answers inline, see `SQLiteMailStore.read`) and the write to the channel
/// all run in one event-loop turn on one thread. Work that may take long (large reads, the password
/// KDF, commits) still leaves the loop on its own queues, so the loop is never blocked for long.
///
/// The session does not depend on it: it never touches the Channel (docs/ARCHITECTURE.md); only where
/// its task runs is chosen here.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
