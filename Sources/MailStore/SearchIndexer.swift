import Synchronization

/// Keeps a store's full-text index up to date in the background: documents of messages appended,
/// delivered, copied or imported (by this process or another one beside it) are made after their
/// write has committed and been acknowledged, never in its way. At start it first drops documents of
/// another maker version, then catches up with every message not indexed yet (after a restart or a
/// crash); afterwards it looks for new ones every `idlePause`. Messages it has not reached yet are
/// candidates of every search (see `MailStore.searchCandidates`), so answers stay complete meanwhile.
public final class SearchIndexer: Sendable {
    /// Messages indexed per store call: one short write transaction each, so appends wait little.
    public static let batch = 64
    /// Pause when nothing was left to index.
    public static let idlePause: Duration = .milliseconds(250)
    /// Pause after a failed call before trying again.
    public static let failurePause: Duration = .seconds(5)

    private let task = Mutex<Task<Void, Never>?>(nil)

    public init() {}

    /// Starts indexing `store` with documents of `maker`; `failed` hears each failed store call (the
    /// indexer carries on after `failurePause`).
    public func start(
        store: any MailStore, maker: SearchDocumentMaker, failed: @escaping @Sendable (any Error) -> Void = { _ in }
    ) {
        let running = Task.detached(priority: .utility) {
            do {
                try await store.resetSearchIndex(account: nil, otherThan: maker.version)
            } catch {
                failed(error)
            }
            while !Task.isCancelled {
                let pause: Duration
                do {
                    let done = try await store.indexPending(account: nil, limit: Self.batch, maker: maker)
                    pause = done == 0 ? Self.idlePause : .zero
                } catch {
                    failed(error)
                    pause = Self.failurePause
                }
                if pause > .zero {
                    try? await Task.sleep(for: pause)
                } else {
                    await Task.yield()
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
