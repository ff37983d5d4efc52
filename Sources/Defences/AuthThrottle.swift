import Synchronization

/// How hard the throttle slows failed logins. Every limit of the login defences is here.
public struct ThrottlePolicy: Sendable, Equatable {
    /// Entries kept per table (client addresses, account names); the least recently used make room.
    public var maxEntries = 65_536
    /// Failures of one address answered without delay (typing mistakes).
    public var freeFailures = 3
    /// The delay after the first failure beyond the free ones; it doubles with each further failure.
    public var baseDelay: Duration = .seconds(1)
    /// The largest delay between two answers to one address.
    public var maxDelay: Duration = .seconds(30)
    /// Failures after which the address is refused (`NO [UNAVAILABLE]`) without its password being
    /// checked, until its failures are forgotten.
    public var lockoutFailures = 10
    /// Failures are forgotten this long after the last one.
    public var forgetAfter: Duration = .seconds(15 * 60)
    /// An attempt that would wait longer than this for its turn is not answered: the connection is
    /// closed (it could only pile up more waiting connections).
    public var maxQueuedWait: Duration = .seconds(60)
    /// Failures against one account name (from anywhere) answered without delay.
    public var accountFreeFailures = 5
    /// The largest delay an attack on an account imposes on every login to it: small, so that its
    /// owner still gets in while many addresses guess its password.
    public var accountMaxDelay: Duration = .seconds(3)
    /// An attempt admitted but never ended (a SASL exchange the client abandoned) stops counting this
    /// long after the address's last attempt.
    public var pendingLifetime: Duration = .seconds(60)
    /// Networks never throttled (monitoring, a webmail host); an attacker inside them is not slowed.
    public var allowList: [ClientNetwork] = []

    public init() {}
}

/// What a login attempt must do before its password is checked.
public enum ThrottleDecision: Sendable, Equatable {
    /// Wait this long, then check the password.
    case proceed(after: Duration)
    /// Wait this long, then answer `NO [UNAVAILABLE]` without checking the password: the address is
    /// locked out.
    case refuse(after: Duration)
    /// Close the connection without an answer: the address already has attempts waiting for longer
    /// than `maxQueuedWait`.
    case drop
}

/// Slows password guessing across all connections, in bounded memory (the model: Dovecot's auth
/// penalty and fail2ban's jails, inside the server).
///
/// Failures are counted per client address (IPv6 by /64, `ClientAddress.throttleKey`) and per account
/// name. Each address has one queue of attempts: past `freeFailures`, consecutive answers to it are
/// spaced by a delay that doubles with every failure up to `maxDelay`, however many connections it
/// opens; its attempts still being checked count as failures there until they end (a success gives its
/// place back at once), so parallel guesses wait their turn like consecutive ones; from
/// `lockoutFailures` on its attempts are refused unchecked. The account's own delay is
/// small (`accountMaxDelay`) and not queued, so a distributed attack on one account slows each guess
/// while its owner, from an address of their own, still gets in within seconds; an attack never slows
/// another account from another address. No timer or task per entry: the state is a timestamp that
/// each attempt reads.
public final class AuthThrottle: Sendable {
    public let policy: ThrottlePolicy
    private let epoch: ContinuousClock.Instant
    private let state: Mutex<Tables>

    private struct Tables {
        var addresses: ThrottleTable
        var accounts: ThrottleTable
    }

    public init(policy: ThrottlePolicy = ThrottlePolicy(), epoch: ContinuousClock.Instant = .now) {
        self.policy = policy
        self.epoch = epoch
        state = Mutex(
            Tables(
                addresses: ThrottleTable(capacity: policy.maxEntries),
                accounts: ThrottleTable(capacity: policy.maxEntries)))
    }

    /// Called before a password is checked: reserves this attempt's turn in the address's queue.
    public func admit(
        address: ClientAddress?, account: String, now: ContinuousClock.Instant = .now
    ) -> ThrottleDecision {
        if let address, isAllowed(address) { return .proceed(after: .zero) }
        let t = nanoseconds(now)
        let accountKey = Self.accountKey(account)
        return state.withLock { tables in
            let accountFailures = tables.accounts.entry(accountKey).map { forgetting($0, at: t).failures } ?? 0
            let accountWait = delay(
                failures: Int(accountFailures), free: policy.accountFreeFailures, cap: policy.accountMaxDelay)
            guard let address else { return .proceed(after: accountWait) }
            return tables.addresses.update(address.throttleKey) { entry in
                entry = forgetting(entry, at: t)
                if entry.pending > 0, t - entry.nextSlot > Self.nanoseconds(policy.pendingLifetime) {
                    entry.pending = 0
                }
                let start = max(t, entry.nextSlot)
                let queued = Duration.nanoseconds(start - t)
                if queued > policy.maxQueuedWait { return .drop }
                let counted = Int(entry.failures) + Int(entry.pending)
                let spacing = delay(failures: counted, free: policy.freeFailures, cap: policy.maxDelay)
                entry.nextSlot = start + Self.nanoseconds(spacing)
                if Int(entry.failures) >= policy.lockoutFailures { return .refuse(after: queued) }
                entry.pending &+= entry.pending == .max ? 0 : 1
                return .proceed(after: max(queued, accountWait))
            }
        }
    }

    /// Counts a failed login. Returns the address's and the account's failures so far (for the log).
    @discardableResult
    public func recordFailure(
        address: ClientAddress?, account: String, now: ContinuousClock.Instant = .now
    ) -> (address: Int, account: Int) {
        let t = nanoseconds(now)
        let accountKey = Self.accountKey(account)
        return state.withLock { tables in
            func count(_ entry: inout ThrottleEntry) -> Int {
                entry = forgetting(entry, at: t)
                entry.failures &+= entry.failures == .max ? 0 : 1
                entry.lastFailure = t
                return Int(entry.failures)
            }
            let onAccount = tables.accounts.update(accountKey, count)
            guard let address, !isAllowed(address) else { return (0, onAccount) }
            return (
                tables.addresses.update(address.throttleKey) { entry in
                    entry.pending -= entry.pending > 0 ? 1 : 0
                    return count(&entry)
                }, onAccount
            )
        }
    }

    /// A successful login ends the account's count (its owner knows the password) and gives back the
    /// attempt's place in the address's queue; the address's failures stay, or anyone with one valid
    /// account could reset them between guesses.
    public func recordSuccess(address: ClientAddress?, account: String) {
        let key = Self.accountKey(account)
        state.withLock { tables in
            if tables.accounts.entry(key) != nil { tables.accounts.update(key) { $0.failures = 0 } }
            if let address, let entry = tables.addresses.entry(address.throttleKey), entry.pending > 0 {
                tables.addresses.update(address.throttleKey) { $0.pending -= 1 }
            }
        }
    }

    /// Entries held (addresses, accounts), for tests and metrics.
    public var counts: (addresses: Int, accounts: Int) {
        state.withLock { ($0.addresses.count, $0.accounts.count) }
    }

    func isAllowed(_ address: ClientAddress) -> Bool {
        policy.allowList.contains { $0.contains(address) }
    }

    private func forgetting(_ entry: ThrottleEntry, at t: Int64) -> ThrottleEntry {
        guard entry.failures > 0, t - entry.lastFailure >= Self.nanoseconds(policy.forgetAfter) else { return entry }
        var forgotten = entry
        forgotten.failures = 0
        return forgotten
    }

    /// Zero up to `free` failures, then `baseDelay` doubling with each failure, at most `cap`.
    private func delay(failures: Int, free: Int, cap: Duration) -> Duration {
        guard failures >= free else { return .zero }
        let factor: Int64 = 1 << min(failures - free, 32)
        let (product, overflow) = Self.nanoseconds(policy.baseDelay).multipliedReportingOverflow(by: factor)
        return .nanoseconds(min(Self.nanoseconds(cap), overflow ? .max : product))
    }

    private func nanoseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        Self.nanoseconds(instant - epoch)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? (seconds < 0 ? .min : .max) : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Account names compare without case (as logins do); the table keeps a 64-bit hash, not the name.
    static func accountKey(_ name: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(name.lowercased())
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
