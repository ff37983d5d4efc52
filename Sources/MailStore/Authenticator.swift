import Crypto
import Foundation

/// Checks passwords against the store, remembering recent successes so that a user who logs in again
/// does not pay the KDF each time.
///
/// The credentials are read from the store on every call (one indexed row). The cache holds, per
/// account name and password (an HMAC-SHA256 of it under a key that lives only in this process, so a
/// user whose devices log in with different app passwords hits it with each), the `storedKey` it was
/// verified against: a password change (a new salt, hence a new storedKey, also when made by another
/// process) or a revoked app password misses the cache. Failures are never cached, and every miss pays
/// the full KDF (also for unknown accounts, against a dummy verifier, so timing does not reveal them).
public final class Authenticator: @unchecked Sendable {
    private struct Entry {
        var account: AccountID
        var storedKey: [UInt8]
        var passwordMAC: [UInt8]
    }

    private let accounts: any AccountStore
    private let lock = NSLock()
    private var cache: [String: Entry] = [:]
    private let cacheKey = SymmetricKey(size: .bits256)
    private let maxEntries: Int
    private let hasher = PasswordHasher()
    private let dummy: StoredCredentials
    private var hits = 0

    /// - Parameters:
    ///   - accounts: where the credentials are read.
    ///   - maxEntries: bound of the success cache (an arbitrary entry is evicted when full).
    ///   - dummyIterations: rounds of the verifier used for unknown accounts; keep the default except in tests.
    public init(
        accounts: any AccountStore, maxEntries: Int = 4096, dummyIterations: Int = PasswordHasher.defaultIterations
    ) {
        self.accounts = accounts
        self.maxEntries = max(1, maxEntries)
        let salt = [UInt8](repeating: 0x5A, count: PasswordHasher.saltByteCount)
        dummy = StoredCredentials(
            salt: salt, iterations: max(1, dummyIterations),
            storedKey: [UInt8](repeating: 0, count: 32), serverKey: [UInt8](repeating: 0, count: 32))
    }

    /// The account when `password` is right (the account's own or one of its app passwords), else nil
    /// (also when the store fails).
    public func authenticate(name: String, password: String) async -> AccountID? {
        let found: (AccountID, StoredCredentials)?
        do {
            found = try await accounts.credentials(accountName: name)
        } catch {
            return nil
        }
        guard let (account, credentials) = found else {
            _ = await storedKeyOffPool(password, dummy)
            return nil
        }
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: cacheKey))
        let cacheName = name.lowercased() + "\u{0}" + Data(mac).base64EncodedString()
        let cached = lock.withLock { cache[cacheName] }
        if let cached, cached.account == account, PasswordHasher.constantTimeEqual(cached.passwordMAC, mac),
            await isCurrent(cached.storedKey, account: account, credentials: credentials)
        {
            lock.withLock { hits += 1 }
            return account
        }
        // The KDF runs without the lock held, once: app passwords share the account's salt and count.
        guard let computed = await storedKeyOffPool(password, credentials),
            await isCurrent(computed, account: account, credentials: credentials)
        else { return nil }
        lock.withLock {
            if cache[cacheName] == nil, cache.count >= maxEntries, let victim = cache.keys.first {
                cache.removeValue(forKey: victim)
            }
            cache[cacheName] = Entry(account: account, storedKey: computed, passwordMAC: mac)
        }
        return account
    }

    /// Whether `storedKey` is the account's password's or one of its app passwords' (a password change
    /// or a revoked app password makes a cached success stale).
    private func isCurrent(_ storedKey: [UInt8], account: AccountID, credentials: StoredCredentials) async -> Bool {
        if PasswordHasher.constantTimeEqual(storedKey, credentials.storedKey) { return true }
        let apps = (try? await accounts.appPasswords(account: account)) ?? []
        return apps.contains { PasswordHasher.constantTimeEqual(storedKey, $0.storedKey) }
    }

    /// The verifiers of the account's app passwords, for SCRAM (`SCRAMServer.credentials`).
    public func scramAlternatives(account: AccountID, credentials: StoredCredentials) async -> [StoredCredentials] {
        let apps = (try? await accounts.appPasswords(account: account)) ?? []
        return apps.map {
            StoredCredentials(
                salt: credentials.salt, iterations: credentials.iterations, storedKey: $0.storedKey,
                serverKey: $0.serverKey)
        }
    }

    /// The SCRAM verifier of `name` and its account, for a SCRAM exchange. An unknown name gets a
    /// stand-in that no proof matches, with a salt derived from the name under this process's key (the
    /// same on every try) and the usual iteration count, so that the answer does not tell whether the
    /// account exists; so does a failing store.
    public func scramCredentials(name: String) async -> (AccountID?, StoredCredentials) {
        if let found = try? await accounts.credentials(accountName: name) { return found }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("scram-salt:\(name.lowercased())".utf8), using: cacheKey)
        var standIn = dummy
        standIn.salt = Array(Array(mac).prefix(PasswordHasher.saltByteCount))
        standIn.iterations = hasher.iterations
        return (nil, standIn)
    }

    /// The account called `name` (case-insensitively), for a login proven without a password (a bearer
    /// token) or an administrator naming an account; nil when there is none or the store fails.
    public func account(named name: String) async -> AccountID? {
        (try? await accounts.credentials(accountName: name))?.0
    }

    /// The stored key `password` gives with the verifier's salt and count, or nil. The KDF (tens of
    /// milliseconds) runs on its own queue, not on Swift's cooperative pool, so a burst of logins does
    /// not stall every other session's work.
    private func storedKeyOffPool(_ password: String, _ credentials: StoredCredentials) async -> [UInt8]? {
        guard credentials.iterations > 0, !credentials.storedKey.isEmpty else { return nil }
        return await withCheckedContinuation { continuation in
            Self.kdfQueue.async {
                let computed = try? PasswordHasher.credentials(
                    password: password, salt: credentials.salt, iterations: credentials.iterations)
                continuation.resume(returning: computed?.storedKey)
            }
        }
    }

    private static let kdfQueue = DispatchQueue(label: "postern.kdf", attributes: .concurrent)

    /// Successful logins answered from the cache (for tests and metrics).
    public var cacheHits: Int { lock.withLock { hits } }

    /// Number of cached successes.
    public var cachedCount: Int { lock.withLock { cache.count } }

    /// Forgets every cached success.
    public func clearCache() {
        lock.withLock { cache.removeAll() }
    }
}
