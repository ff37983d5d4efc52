import Synchronization

/// Keeps a store's full-text index up to date in the background: documents of messages appended,
/// delivered, copied or imported (by this process or another one beside it) are made after their
/// write has committed and been acknowledged, never in its way. At start it first drops documents of
/// another maker version, then catches up with every message not indexed yet (after a restart or a
/// crash); afterwards it sleeps until the store publishes a change to a mailbox (its `ChangeHub`, which
/// also hears other processes' writes), or `idleFallback` at the latest. Messages it has not reached yet
/// are candidates of every search (see `MailStore.searchCandidates`), so answers stay complete meanwhile.
public final class SearchIndexer: Sendable {
    /// Messages indexed per store call: one short write transaction each, so appends wait little.
    public static let batch = 64
    /// The longest sleep when nothing was left to index and no change was published: a safety net for a
    /// change that was never announced, not the way new messages are found.
    public static let idleFallback: Duration = .seconds(30)
    /// Pause after a failed call before trying again.
    public static let failurePause: Duration = .seconds(5)

    private let task = Mutex<Task<Void, Never>?>(nil)

    public init() {}

    /// Starts indexing `store` with documents of `maker`; `failed` hears each failed store call (the
    /// indexer carries on after `failurePause`).
    public func start(
        store: any MailStore, maker: SearchDocumentMaker, failed: @escaping @Sendable (any Error) -> Void = { _ in }
    ) {
        let wake = WakeSignal()
        let watch = store.changeHub.watchAllMailboxes { wake.notify() }
        let running = Task.detached(priority: .utility) {
            defer { watch.cancel() }
            do {
                try await store.resetSearchIndex(account: nil, otherThan: maker.version)
            } catch {
                failed(error)
            }
            while !Task.isCancelled {
                do {
                    let done = try await store.indexPending(account: nil, limit: Self.batch, maker: maker)
                    if done == 0 {
                        await wake.wait(atMost: Self.idleFallback)
                    } else {
                        await Task.yield()
                    }
                } catch {
                    failed(error)
                    try? await Task.sleep(for: Self.failurePause)
                }
            }
        }
        task.withLock { previous in
            previous?.cancel()
            previous = running
        }
    }

    /// Stops indexing and returns once a batch under way has finished.
    public func stop() async {
        let running = task.withLock { running in
            defer { running = nil }
            return running
        }
        running?.cancel()
        await running?.value
    }
}

/// A wake-up that is not lost: `notify` before `wait` makes the next `wait` return at once. Many notifications
/// while nobody waits count as one.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func notify() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let w = s.waiter else {
                s.pending = true
                return nil
            }
            s.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Returns after a notification, after `limit`, or when the task is cancelled.
    func wait(atMost limit: Duration) async {
        let timer = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            self.notify()
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            notify()
        }
    }
}
