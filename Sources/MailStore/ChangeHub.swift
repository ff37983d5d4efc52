import Foundation
import Synchronization

/// Wakes the sessions that watch a mailbox once a change to it has committed (the store publishes
/// after commit, never before: "commit first, then publish").
///
/// A wake-up carries no data: the session asks the store what changed since the MODSEQ it knows.
/// Each subscriber's queue holds at most one pending wake-up, so a session that is slow to read
/// costs no memory however many changes happen meanwhile, and publishing never blocks.
public final class ChangeHub: Sendable {
    private struct Subscriber: Sendable {
        var continuation: AsyncStream<Void>.Continuation
    }

    private let subscribers = Mutex<[MailboxID: [UInt64: Subscriber]]>([:])
    private let mailboxWatchers = Mutex<[MailboxID: [UInt64: @Sendable () -> Void]]>([:])
    private let accountWatchers = Mutex<[AccountID: [UInt64: @Sendable () -> Void]]>([:])
    private let anyMailboxWatchers = Mutex<[UInt64: @Sendable () -> Void]>([:])
    private let generations = Mutex<[MailboxID: UInt64]>([:])
    private let nextID = Atomic<UInt64>(0)
    /// Expunged messages kept readable for the sessions that may still show them (RFC 2180 §4.1.1).
    public let retention = ExpungeRetention()

    public init() {}

    /// A stream of wake-ups for one mailbox; it ends when the subscription is cancelled.
    public func subscribe(mailbox: MailboxID) -> ChangeSubscription {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        subscribers.withLock { $0[mailbox, default: [:]][id] = Subscriber(continuation: continuation) }
        let subscription = ChangeSubscription(stream: stream) { [weak self] in
            self?.unsubscribe(mailbox: mailbox, id: id)
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(mailbox: mailbox, id: id) }
        return subscription
    }

    /// Called by a store after a change to `mailbox` committed.
    public func publish(mailbox: MailboxID) {
        generations.withLock { $0[mailbox, default: 0] &+= 1 }
        let targets = subscribers.withLock { $0[mailbox].map { Array($0.values) } ?? [] }
        for target in targets { target.continuation.yield() }
        let watchers = mailboxWatchers.withLock { $0[mailbox].map { Array($0.values) } ?? [] }
        for changed in watchers { changed() }
        for changed in anyMailboxWatchers.withLock({ Array($0.values) }) { changed() }
    }

    /// Calls `changed` after each change to any mailbox is published (the search indexer's wake-up), until
    /// the token is cancelled. Same rules for `changed` as ``watch(mailbox:changed:)``.
    public func watchAllMailboxes(changed: @escaping @Sendable () -> Void) -> WatchToken {
        let id = nextID.add(1, ordering: .relaxed).newValue
        anyMailboxWatchers.withLock { $0[id] = changed }
        return WatchToken { [weak self] in
            _ = self?.anyMailboxWatchers.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// Calls `changed` after each change to `mailbox` is published, until the token is cancelled. A
    /// closure rather than a stream: every idling session holds one, and a stream with a task reading
    /// it costs each idle session memory (`Benchmarks/run.sh idle`). `changed` must be quick and must
    /// not call back into the hub (it runs on the publisher's thread).
    public func watch(mailbox: MailboxID, changed: @escaping @Sendable () -> Void) -> WatchToken {
        let id = nextID.add(1, ordering: .relaxed).newValue
        mailboxWatchers.withLock { $0[mailbox, default: [:]][id] = changed }
        return WatchToken { [weak self] in
            self?.mailboxWatchers.withLock { all in
                all[mailbox]?.removeValue(forKey: id)
                if all[mailbox]?.isEmpty == true { all[mailbox] = nil }
            }
        }
    }

    /// A number that changes whenever a change to `mailbox` is published. A session that saw the same
    /// number before need not ask the store what changed: the in-process writers (every writer of
    /// mailboxes; the CLI only manages accounts) all publish after they commit.
    public func generation(mailbox: MailboxID) -> UInt64 {
        generations.withLock { $0[mailbox] ?? 0 }
    }

    /// Calls `removed` once the account is deleted (by this process or another: the engine looks for
    /// deletions made elsewhere), so the sessions logged in as it can end. A closure rather than a
    /// stream: every logged-in session holds one, and a stream with a task reading it cost an idle
    /// session several kB (`Benchmarks/run.sh idle`).
    public func watch(account: AccountID, removed: @escaping @Sendable () -> Void) -> WatchToken {
        let id = nextID.add(1, ordering: .relaxed).newValue
        accountWatchers.withLock { $0[account, default: [:]][id] = removed }
        return WatchToken { [weak self] in
            self?.accountWatchers.withLock { all in
                all[account]?.removeValue(forKey: id)
                if all[account]?.isEmpty == true { all[account] = nil }
            }
        }
    }

    /// Called by a store once the deletion of `account` committed; each watcher is called once.
    public func publish(accountRemoved account: AccountID) {
        let targets = accountWatchers.withLock { $0.removeValue(forKey: account).map { Array($0.values) } ?? [] }
        for removed in targets { removed() }
    }

    /// The mailboxes some session watches or subscribes to.
    public var watchedMailboxes: Set<MailboxID> {
        Set(subscribers.withLock { Array($0.keys) }).union(mailboxWatchers.withLock { Array($0.keys) })
    }

    /// The accounts some session watches (an engine checks these for deletions made elsewhere).
    public var watchedAccounts: [AccountID] { accountWatchers.withLock { Array($0.keys) } }

    public var subscriberCount: Int {
        subscribers.withLock { $0.values.reduce(0) { $0 + $1.count } }
            + mailboxWatchers.withLock { $0.values.reduce(0) { $0 + $1.count } }
    }

    private func unsubscribe(mailbox: MailboxID, id: UInt64) {
        let removed = subscribers.withLock { all -> Subscriber? in
            let subscriber = all[mailbox]?.removeValue(forKey: id)
            if all[mailbox]?.isEmpty == true { all[mailbox] = nil }
            return subscriber
        }
        removed?.continuation.finish()
    }
}

/// One session's wake-ups for one mailbox.
public struct ChangeSubscription: Sendable {
    public let stream: AsyncStream<Void>
    private let cancelAction: @Sendable () -> Void

    init(stream: AsyncStream<Void>, cancel: @escaping @Sendable () -> Void) {
        self.stream = stream
        self.cancelAction = cancel
    }

    public func cancel() { cancelAction() }
}

/// One watch of a mailbox's changes or an account's deletion (`ChangeHub.watch`); `cancel` ends it.
public struct WatchToken: Sendable {
    private let cancelAction: @Sendable () -> Void

    init(cancel: @escaping @Sendable () -> Void) {
        cancelAction = cancel
    }

    public func cancel() { cancelAction() }
}
