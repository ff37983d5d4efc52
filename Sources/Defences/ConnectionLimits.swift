import Synchronization

/// How many connections and sessions the server takes. Every limit of the connection defences is here.
public struct ConnectionPolicy: Sendable, Equatable {
    /// Connections open at once, all listeners together (an idle session costs about 50 kB).
    public var maxConnections = 20_000
    /// Connections open at once from one client address (an IPv6 address by its /64). Generous: a
    /// whole office behind one NAT address, or a webmail host, stays under it; a flood does not.
    public var maxConnectionsPerAddress = 1_000
    /// Logged-in sessions of one account from one address at once (Dovecot's
    /// `mail_max_userip_connections`): a mail client opens a few per account, an attacker holding a
    /// stolen password cannot open hundreds.
    public var maxSessionsPerAccountAndAddress = 10
    /// Networks the per-address limits do not apply to (a webmail host, a proxy).
    public var allowList: [ClientNetwork] = []

    public init() {}
}

/// Why a connection or a session was refused.
public enum ConnectionRefusal: Sendable, Equatable, CustomStringConvertible {
    case serverFull(limit: Int)
    case addressFull(limit: Int)
    case accountFull(limit: Int)

    public var description: String {
        switch self {
        case .serverFull(let limit): "Too many connections to this server (\(limit))"
        case .addressFull(let limit): "Too many connections from your address (\(limit))"
        case .accountFull(let limit): "Too many sessions of this account from your address (\(limit))"
        }
    }
}

/// Counts open connections (in total and per client address) and logged-in sessions (per account and
/// address); memory is one counter per address or account with something open, removed at zero.
public final class ConnectionLimits: Sendable {
    /// Fixed at start: a connection counted under one allow-list must be released under the same one.
    private let allowList: [ClientNetwork]
    private let state: Mutex<Counts>

    private struct Counts {
        var policy: ConnectionPolicy
        var total = 0
        var perAddress: [UInt64: Int] = [:]
        var perSession: [SessionKey: Int] = [:]
    }

    struct SessionKey: Hashable {
        var account: UInt64
        var address: UInt64
    }

    public init(policy: ConnectionPolicy = ConnectionPolicy()) {
        allowList = policy.allowList
        state = Mutex(Counts(policy: policy))
    }

    /// The policy in force.
    public var policy: ConnectionPolicy { state.withLock { $0.policy } }

    /// Takes new numeric limits (a configuration reload); the allow-list stays the one of the start.
    /// Connections and sessions already open stay open: the limits apply to the next ones.
    public func updateLimits(_ new: ConnectionPolicy) {
        state.withLock { counts in
            counts.policy.maxConnections = new.maxConnections
            counts.policy.maxConnectionsPerAddress = new.maxConnectionsPerAddress
            counts.policy.maxSessionsPerAccountAndAddress = new.maxSessionsPerAccountAndAddress
        }
    }

    /// Takes a connection slot, or says why not. Every successful call is paired with one
    /// `release(address:)` when the connection closes.
    public func acquire(address: ClientAddress?) -> ConnectionRefusal? {
        let key = limitedKey(address)
        return state.withLock { counts in
            let policy = counts.policy
            if counts.total >= policy.maxConnections { return .serverFull(limit: policy.maxConnections) }
            if let key {
                if counts.perAddress[key, default: 0] >= policy.maxConnectionsPerAddress {
                    return .addressFull(limit: policy.maxConnectionsPerAddress)
                }
                counts.perAddress[key, default: 0] += 1
            }
            counts.total += 1
            return nil
        }
    }

    public func release(address: ClientAddress?) {
        let key = limitedKey(address)
        state.withLock { counts in
            counts.total = max(0, counts.total - 1)
            if let key { Self.decrement(&counts.perAddress, key) }
        }
    }

    /// Takes a session slot for `account` (an id's stable number) from `address`, or says why not;
    /// paired with `endSession` at logout, UNAUTHENTICATE or close.
    public func beginSession(account: UInt64, address: ClientAddress?) -> ConnectionRefusal? {
        guard let key = limitedKey(address) else { return nil }
        let session = SessionKey(account: account, address: key)
        return state.withLock { counts in
            let limit = counts.policy.maxSessionsPerAccountAndAddress
            if counts.perSession[session, default: 0] >= limit {
                return .accountFull(limit: limit)
            }
            counts.perSession[session, default: 0] += 1
            return nil
        }
    }

    public func endSession(account: UInt64, address: ClientAddress?) {
        guard let key = limitedKey(address) else { return }
        state.withLock { Self.decrement(&$0.perSession, SessionKey(account: account, address: key)) }
    }

    /// Open connections, addresses and account sessions tracked (for tests and metrics).
    public var counts: (connections: Int, addresses: Int, sessions: Int) {
        state.withLock { ($0.total, $0.perAddress.count, $0.perSession.values.reduce(0, +)) }
    }

    private func limitedKey(_ address: ClientAddress?) -> UInt64? {
        guard let address, !allowList.contains(where: { $0.contains(address) }) else { return nil }
        return address.throttleKey
    }

    private static func decrement<K: Hashable>(_ map: inout [K: Int], _ key: K) {
        guard let n = map[key] else { return }
        if n <= 1 { map.removeValue(forKey: key) } else { map[key] = n - 1 }
    }
}
