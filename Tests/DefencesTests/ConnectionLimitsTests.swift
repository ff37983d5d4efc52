import Testing

@testable import Defences

@Suite struct ConnectionLimitsTests {
    let a = ClientAddress("203.0.113.1")!
    let b = ClientAddress("203.0.113.2")!

    func policy(total: Int = 5, perAddress: Int = 3, sessions: Int = 2) -> ConnectionPolicy {
        var policy = ConnectionPolicy()
        policy.maxConnections = total
        policy.maxConnectionsPerAddress = perAddress
        policy.maxSessionsPerAccountAndAddress = sessions
        return policy
    }

    @Test func perAddressThenTotal() {
        let limits = ConnectionLimits(policy: policy())
        for _ in 0..<3 { #expect(limits.acquire(address: a) == nil) }
        #expect(limits.acquire(address: a) == .addressFull(limit: 3))
        #expect(limits.acquire(address: b) == nil)
        #expect(limits.acquire(address: b) == nil)
        #expect(limits.acquire(address: b) == .serverFull(limit: 5))
        limits.release(address: a)
        #expect(limits.acquire(address: b) == nil)
        #expect(limits.counts.connections == 5)
        for _ in 0..<2 { limits.release(address: a) }
        for _ in 0..<3 { limits.release(address: b) }
        #expect(limits.counts == (connections: 0, addresses: 0, sessions: 0))
    }

    @Test func sessionsPerAccountAndAddress() {
        let limits = ConnectionLimits(policy: policy())
        #expect(limits.beginSession(account: 7, address: a) == nil)
        #expect(limits.beginSession(account: 7, address: a) == nil)
        #expect(limits.beginSession(account: 7, address: a) == .accountFull(limit: 2))
        #expect(limits.beginSession(account: 7, address: b) == nil)
        #expect(limits.beginSession(account: 8, address: a) == nil)
        limits.endSession(account: 7, address: a)
        #expect(limits.beginSession(account: 7, address: a) == nil)
        #expect(limits.counts.sessions == 4)
    }

    @Test func trustedNetworksAndUnknownAddressesAreNotLimitedPerAddress() throws {
        var p = policy(total: 100, perAddress: 1, sessions: 1)
        p.allowList = [try #require(ClientNetwork("203.0.113.0/24"))]
        let limits = ConnectionLimits(policy: p)
        for _ in 0..<10 {
            #expect(limits.acquire(address: a) == nil)
            #expect(limits.acquire(address: nil) == nil)
            #expect(limits.beginSession(account: 1, address: a) == nil)
        }
        #expect(limits.counts == (connections: 20, addresses: 0, sessions: 0))
        // The total still counts them.
        let full = ConnectionLimits(
            policy: {
                var q = p; q.maxConnections = 1; return q
            }())
        #expect(full.acquire(address: a) == nil)
        #expect(full.acquire(address: a) == .serverFull(limit: 1))
    }

    /// Stress: many addresses come and go; nothing is left behind.
    @Test func countersAreRemovedAtZero() {
        let limits = ConnectionLimits(policy: policy(total: 1_000_000, perAddress: 5, sessions: 5))
        let addresses = (0..<20_000).map {
            ClientAddress(bytes: [10, UInt8($0 >> 16), UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)])!
        }
        for address in addresses {
            #expect(limits.acquire(address: address) == nil)
            #expect(limits.beginSession(account: 1, address: address) == nil)
        }
        #expect(limits.counts == (connections: 20_000, addresses: 20_000, sessions: 20_000))
        for address in addresses {
            limits.endSession(account: 1, address: address)
            limits.release(address: address)
        }
        #expect(limits.counts == (connections: 0, addresses: 0, sessions: 0))
    }

    @Test func refusalsSayWhy() {
        #expect(ConnectionRefusal.addressFull(limit: 3).description == "Too many connections from your address (3)")
    }

    @Test func newLimitsApplyToTheNextConnectionsAndKeepTheAllowList() {
        var start = policy(total: 10, perAddress: 10, sessions: 10)
        start.allowList = [ClientNetwork("198.51.100.0/24")!]
        let limits = ConnectionLimits(policy: start)
        for _ in 0..<3 { #expect(limits.acquire(address: a) == nil) }
        #expect(limits.beginSession(account: 1, address: a) == nil)
        var lower = policy(total: 10, perAddress: 2, sessions: 1)
        lower.allowList = []
        limits.updateLimits(lower)
        // Open connections stay; the next one from the same address is refused.
        #expect(limits.acquire(address: a) == .addressFull(limit: 2))
        #expect(limits.beginSession(account: 1, address: a) == .accountFull(limit: 1))
        #expect(limits.policy.maxConnectionsPerAddress == 2)
        // The allow-list is the start's: an allowed address is still not limited per address.
        let allowed = ClientAddress("198.51.100.7")!
        for _ in 0..<5 { #expect(limits.acquire(address: allowed) == nil) }
        limits.updateLimits(policy(total: 10, perAddress: 10, sessions: 10))
        #expect(limits.acquire(address: a) == nil)
    }
}
