import Foundation
import GRDB
import MailStore
import Telemetry

/// Runs write operations in shared transactions: every operation queued while a transaction commits
/// joins the next one, so N concurrent writers pay one fsync instead of N.
///
/// Each operation runs in its own savepoint: one that throws is rolled back alone and gets its error,
/// the others commit. A caller resumes only after its transaction has committed durably (the writer
/// runs with `synchronous = FULL`, so the commit returns once its WAL frames are fsynced: see
/// `SQLiteMailStore+Durability`), after the content files the batch released have been unlinked
/// (never before that commit is on disk: a power cut must not leave a committed row without its
/// file) and after the changed mailboxes have been published ("commit first, then publish": never
/// from inside the transaction, and never for an operation that was rolled back).
final class GroupCommitWriter: @unchecked Sendable {
    /// What an operation can ask for besides its result: directories to fsync before its transaction
    /// commits (content files it renamed into the store: each directory is synced once per batch,
    /// however many operations named it), and, once it committed, content files to unlink and
    /// mailboxes whose messages or existence changed (to publish).
    struct Effects {
        var syncDirectories: Set<String> = []
        var unlinkBlobs: [String] = []
        var changedMailboxes: Set<MailboxID> = []
    }

    private final class Pending: @unchecked Sendable {
        let run: (Database, inout Effects) throws -> Void
        let complete: (Error?) -> Void
        init(run: @escaping (Database, inout Effects) throws -> Void, complete: @escaping (Error?) -> Void) {
            self.run = run
            self.complete = complete
        }
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var value: T?
    }

    private final class BatchOutcome: @unchecked Sendable {
        var errors: [Error?]
        var syncDirectories: Set<String> = []
        var unlinkBlobs: [String] = []
        var changedMailboxes: Set<MailboxID> = []
        init(count: Int) { errors = Array(repeating: nil, count: count) }
    }

    private let pool: DatabasePool
    private let afterCommit: @Sendable (_ unlink: [String], _ changed: Set<MailboxID>) -> Void
    /// Runs last inside each transaction that changed mailboxes (a tool logs them for the server).
    private let beforeCommit: (@Sendable (Database, Set<MailboxID>) throws -> Void)?
    /// Makes a directory's entries durable (fsync); tests watch when it runs, or make it fail.
    private let syncDirectory: @Sendable (String) throws -> Void
    private let lock = NSLock()
    private var queue: [Pending] = []
    private var draining = false
    private var batches = 0
    private var operations = 0

    init(
        pool: DatabasePool, beforeCommit: (@Sendable (Database, Set<MailboxID>) throws -> Void)? = nil,
        syncDirectory: @escaping @Sendable (String) throws -> Void = DurableFiles.syncDirectory,
        afterCommit: @escaping @Sendable (_ unlink: [String], _ changed: Set<MailboxID>) -> Void
    ) {
        self.pool = pool
        self.beforeCommit = beforeCommit
        self.syncDirectory = syncDirectory
        self.afterCommit = afterCommit
    }

    /// (transactions committed, operations run): for benchmarks and tests.
    var statistics: (batches: Int, operations: Int) {
        lock.withLock { (batches, operations) }
    }

    /// Queues `body` and returns its result once its transaction has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database, inout Effects) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let box = ResultBox<T>()
            let pending = Pending(
                run: { db, effects in box.value = try body(db, &effects) },
                complete: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let value = box.value {
                        continuation.resume(returning: value)
                    } else {
                        continuation.resume(throwing: CancellationError())
                    }
                })
            let startDrain = lock.withLock { () -> Bool in
                queue.append(pending)
                if draining { return false }
                draining = true
                return true
            }
            if startDrain {
                drainQueue.async { self.drain() }
            }
        }
    }

    /// Batches run one after the other on this queue, with GRDB's synchronous write: a caller's
    /// operation goes from its thread to this queue and its result straight back (no task on the
    /// cooperative pool in between; a profile of `Benchmarks/run.sh append` counted every hop).
    private let drainQueue = DispatchQueue(label: "postern.group-commit")

    private func drain() {
        while true {
            let batch = lock.withLock { () -> [Pending] in
                let batch = queue
                queue.removeAll()
                if batch.isEmpty { draining = false }
                return batch
            }
            if batch.isEmpty { return }
            run(batch)
        }
    }

    private func run(_ batch: [Pending]) {
        let outcome = BatchOutcome(count: batch.count)
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for (index, pending) in batch.enumerated() {
                        var effects = Effects()
                        do {
                            try db.inSavepoint {
                                try pending.run(db, &effects)
                                return .commit
                            }
                            outcome.syncDirectories.formUnion(effects.syncDirectories)
                            outcome.unlinkBlobs.append(contentsOf: effects.unlinkBlobs)
                            outcome.changedMailboxes.formUnion(effects.changedMailboxes)
                        } catch {
                            outcome.errors[index] = error
                        }
                    }
                    // Renames into the store are durable before any row referring to them commits;
                    // a directory that cannot be synced fails the whole batch.
                    for directory in outcome.syncDirectories.sorted() {
                        try syncDirectory(directory)
                    }
                    if let beforeCommit, !outcome.changedMailboxes.isEmpty {
                        try beforeCommit(db, outcome.changedMailboxes)
                    }
                    return .commit
                }
            }
        } catch {
            // The transaction did not commit: nothing of the batch happened.
            for index in outcome.errors.indices where outcome.errors[index] == nil {
                outcome.errors[index] = error
            }
            outcome.unlinkBlobs = []
            outcome.changedMailboxes = []
        }
        Telemetry.storeCommit(
            nanoseconds: Int64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds &- started),
            operations: batch.count)
        if !outcome.unlinkBlobs.isEmpty || !outcome.changedMailboxes.isEmpty {
            afterCommit(outcome.unlinkBlobs, outcome.changedMailboxes)
        }
        lock.withLock {
            batches += 1
            operations += batch.count
        }
        for (index, pending) in batch.enumerated() {
            pending.complete(outcome.errors[index])
        }
    }
}
