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
    private let accountSubscribers = Mutex<[AccountID: [UInt64: Subscriber]]>([:])
    private let generations = Mutex<[MailboxID: UInt64]>([:])
    private let nextID = Atomic<UInt64>(0)

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
    }

    /// A number that changes whenever a change to `mailbox` is published. A session that saw the same
    /// number before need not ask the store what changed: the in-process writers (every writer of
    /// mailboxes; the CLI only manages accounts) all publish after they commit.
    public func generation(mailbox: MailboxID) -> UInt64 {
        generations.withLock { $0[mailbox] ?? 0 }
    }

    /// A stream that yields once the account is deleted (by this process or another: the engine
    /// looks for deletions made elsewhere), so the sessions logged in as it can end.
    public func subscribe(account: AccountID) -> ChangeSubscription {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        accountSubscribers.withLock { $0[account, default: [:]][id] = Subscriber(continuation: continuation) }
        let subscription = ChangeSubscription(stream: stream) { [weak self] in
            self?.unsubscribe(account: account, id: id)
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(account: account, id: id) }
        return subscription
    }

    /// Called by a store once the deletion of `account` committed.
    public func publish(accountRemoved account: AccountID) {
        let targets = accountSubscribers.withLock { $0[account].map { Array($0.values) } ?? [] }
        for target in targets { target.continuation.yield() }
    }

    /// The accounts some session watches (an engine checks these for deletions made elsewhere).
    public var watchedAccounts: [AccountID] { accountSubscribers.withLock { Array($0.keys) } }

    private func unsubscribe(account: AccountID, id: UInt64) {
        let removed = accountSubscribers.withLock { all -> Subscriber? in
            let subscriber = all[account]?.removeValue(forKey: id)
            if all[account]?.isEmpty == true { all[account] = nil }
            return subscriber
        }
        removed?.continuation.finish()
    }

    public var subscriberCount: Int { subscribers.withLock { $0.values.reduce(0) { $0 + $1.count } } }

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
