import Crypto
import Foundation

/// Checks passwords against the store, remembering recent successes so that a user who logs in again
/// does not pay the KDF each time.
///
/// The credentials are read from the store on every call (one indexed row). The cache holds, per
/// account name, an HMAC-SHA256 of the password under a key that lives only in this process, together
/// with the `storedKey` it was verified against: a password change (a new salt, hence a new storedKey,
/// also when made by another process) misses the cache. Failures are never cached, and every miss pays
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

    /// The account when `password` is right, else nil (also when the store fails).
    public func authenticate(name: String, password: String) async -> AccountID? {
        let found: (AccountID, StoredCredentials)?
        do {
            found = try await accounts.credentials(accountName: name)
        } catch {
            return nil
        }
        guard let (account, credentials) = found else {
            _ = await verifyOffPool(password, dummy)
            return nil
        }
        let cacheName = name.lowercased()
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: cacheKey))
        let cached = lock.withLock { cache[cacheName] }
        if let cached, cached.account == account,
            PasswordHasher.constantTimeEqual(cached.storedKey, credentials.storedKey),
            PasswordHasher.constantTimeEqual(cached.passwordMAC, mac)
        {
            lock.withLock { hits += 1 }
            return account
        }
        // The KDF runs without the lock held.
        guard await verifyOffPool(password, credentials) else { return nil }
        lock.withLock {
            if cache[cacheName] == nil, cache.count >= maxEntries, let victim = cache.keys.first {
                cache.removeValue(forKey: victim)
            }
            cache[cacheName] = Entry(account: account, storedKey: credentials.storedKey, passwordMAC: mac)
        }
        return account
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

    /// The account called `name`, for a login proven without a password (a bearer token); nil when
    /// there is none or the store fails.
    public func account(named name: String) async -> AccountID? {
        (try? await accounts.credentials(accountName: name))?.0
    }

    /// The KDF (tens of milliseconds) runs on its own queue, not on Swift's cooperative pool, so a burst
    /// of logins does not stall every other session's work.
    private func verifyOffPool(_ password: String, _ credentials: StoredCredentials) async -> Bool {
        let hasher = self.hasher
        return await withCheckedContinuation { continuation in
            Self.kdfQueue.async {
                continuation.resume(returning: hasher.verify(password: password, against: credentials))
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
