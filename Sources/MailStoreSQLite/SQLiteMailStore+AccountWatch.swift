import Dispatch
import Foundation
import GRDB
import MailStore

/// Deletions of accounts made by another process (`postern user delete` while the server runs) reach
/// the sessions logged in as them.
///
/// A trigger counts account deletions in `store_state`. Once a second, while some session watches an
/// account (`ChangeHub.subscribe(account:)`), the store reads that counter (one point read); when it
/// moved, it looks which watched accounts are gone and publishes them. Deletions made in this process
/// are published at once by `deleteAccount`.
final class AccountWatch: @unchecked Sendable {
    static let interval: DispatchTimeInterval = .seconds(1)

    private let queue = DispatchQueue(label: "postern.account-watch")
    private let timer: DispatchSourceTimer
    /// The counter last looked at; only touched on `queue`.
    private var seen: Int64

    init(initial: Int64) {
        seen = initial
        timer = DispatchSource.makeTimerSource(queue: queue)
    }

    /// Starts ticking; `check(seen)` returns the counter's value and publishes what is gone.
    func start(_ check: @escaping @Sendable (_ seen: Int64) -> Int64?) {
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            if let now = check(seen) { seen = now }
        }
        timer.resume()
    }

    /// Stops ticking; returns once a tick in progress has ended.
    func stop() {
        timer.cancel()
        queue.sync {}
    }

    deinit {
        timer.cancel()
    }
}

extension SQLiteMailStore {
    static func accountsDeletedCounter(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT accounts_deleted FROM store_state")) ?? 0
    }

    /// One tick of `AccountWatch`: nil when nobody watches (the counter stays unread), else the counter,
    /// after publishing the watched accounts that are gone when it moved.
    func checkDeletedAccounts(seen: Int64) -> Int64? {
        let watched = changeHub.watchedAccounts
        guard !watched.isEmpty else { return nil }
        do {
            let counter = try pointRead("account watch") { db in try Self.accountsDeletedCounter(db) }
            guard counter != seen else { return counter }
            let existing = try inlinePool.read { db in
                try Set(AccountID.fetchAll(db, sql: "SELECT id FROM accounts"))
            }
            for account in watched where !existing.contains(account) {
                changeHub.publish(accountRemoved: account)
            }
            return counter
        } catch {
            return nil
        }
    }
}
