import Testing

@testable import Defences

@Suite struct AuthThrottleTests {
    let start = ContinuousClock.now
    let attacker = ClientAddress("203.0.113.9")!
    let other = ClientAddress("198.51.100.20")!

    func wait(_ decision: ThrottleDecision) -> Duration? {
        if case .proceed(let after) = decision { return after }
        return nil
    }

    /// `n` failures from `address` against `account`, each attempt made when its turn comes.
    @discardableResult
    func fail(
        _ throttle: AuthThrottle, _ n: Int, from address: ClientAddress?, account: String,
        at time: inout ContinuousClock.Instant
    ) -> [ThrottleDecision] {
        var decisions: [ThrottleDecision] = []
        for _ in 0..<n {
            let decision = throttle.admit(address: address, account: account, now: time)
            decisions.append(decision)
            switch decision {
            case .proceed(let after):
                time += after
                throttle.recordFailure(address: address, account: account, now: time)
            case .refuse(let after): time += after
            case .drop: break
            }
        }
        return decisions
    }

    @Test func firstFailuresAreFreeThenDelaysDoubleUpToTheCap() {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        let decisions = fail(throttle, 10, from: attacker, account: "alice", at: &now)
        let waits = decisions.map { wait($0) }
        // Failures 1-3 free; the 4th attempt is the first after three failures: answered at once, but
        // the next one waits 1 s, then 2, 4, 8, 16 (account delays stay below).
        #expect(
            waits == [
                .zero, .zero, .zero, .zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16),
                .seconds(30),
            ])
        // Locked out now: refused, each refusal 30 s after the previous answer.
        #expect(throttle.admit(address: attacker, account: "alice", now: now) == .refuse(after: .seconds(30)))
    }

    @Test func parallelConnectionsShareOneQueue() {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        fail(throttle, 10, from: attacker, account: "alice", at: &now)
        // 20 connections ask at once: their turns are 30 s apart; those beyond a minute are dropped.
        var answers: [Duration] = []
        var dropped = 0
        for _ in 0..<20 {
            switch throttle.admit(address: attacker, account: "bob", now: now) {
            case .refuse(let after), .proceed(let after): answers.append(after)
            case .drop: dropped += 1
            }
        }
        #expect(answers == [.seconds(30), .seconds(60)])
        #expect(dropped == 18)
        // The target: at most 6 answers in the 30 s after 10 failures.
        #expect(answers.filter { $0 <= .seconds(30) }.count <= 6)
    }

    @Test func anotherAddressAndAnotherAccountAreNotSlowed() {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        fail(throttle, 12, from: attacker, account: "alice", at: &now)
        #expect(throttle.admit(address: other, account: "bob", now: now) == .proceed(after: .zero))
        // The attacked account's owner, from their own address: only the account's small delay.
        let owner = throttle.admit(address: other, account: "ALICE", now: now)
        #expect(owner == .proceed(after: .seconds(3)))
    }

    @Test func distributedAttackOnOneAccountIsSlowedButItsOwnerGetsIn() throws {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        for i in 0..<200 {
            let bot = try #require(ClientAddress("10.9.\(i / 250).\(i % 250)"))
            fail(throttle, 1, from: bot, account: "alice", at: &now)
        }
        let bot = try #require(ClientAddress("10.77.0.1"))
        #expect(throttle.admit(address: bot, account: "alice", now: now) == .proceed(after: .seconds(3)))
        #expect(throttle.admit(address: other, account: "alice", now: now) == .proceed(after: .seconds(3)))
        #expect(throttle.admit(address: other, account: "carol", now: now) == .proceed(after: .zero))
        throttle.recordSuccess(address: other, account: "alice")
        #expect(throttle.admit(address: other, account: "alice", now: now) == .proceed(after: .zero))
    }

    @Test func sprayOverManyAccountsCountsAgainstTheAddress() {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        for i in 0..<10 { fail(throttle, 1, from: attacker, account: "user\(i)", at: &now) }
        #expect(throttle.admit(address: attacker, account: "user99", now: now) == .refuse(after: .seconds(30)))
    }

    /// Attempts still being checked count as failures for the address's queue: twenty parallel first
    /// guesses are spaced like twenty consecutive ones, and those that would wait over a minute are dropped.
    @Test func parallelAttemptsWaitTheirTurn() {
        let throttle = AuthThrottle(epoch: start)
        let decisions = (0..<20).map { _ in throttle.admit(address: attacker, account: "alice", now: start) }
        #expect(Array(decisions.prefix(4)) == Array(repeating: .proceed(after: .zero), count: 4))
        #expect(
            Array(decisions[4..<9]) == [1, 3, 7, 15, 31].map { ThrottleDecision.proceed(after: .seconds($0)) })
        #expect(decisions[9...].allSatisfy { $0 == .drop })
    }

    /// A success gives its place back at once: an address whose logins succeed is never queued, however
    /// many it makes.
    @Test func successesDoNotQueue() {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        for _ in 0..<50 {
            #expect(throttle.admit(address: other, account: "carol", now: now) == .proceed(after: .zero))
            throttle.recordSuccess(address: other, account: "carol")
            now += .milliseconds(100)
        }
    }

    /// An attempt that never ended (an abandoned exchange) stops counting a minute after the last attempt.
    @Test func abandonedAttemptsStopCounting() {
        let throttle = AuthThrottle(epoch: start)
        for _ in 0..<4 { _ = throttle.admit(address: attacker, account: "alice", now: start) }
        #expect(throttle.admit(address: attacker, account: "alice", now: start) == .proceed(after: .seconds(1)))
        // Still counted 30 s on: the next attempts queue behind them.
        let soon = start + .seconds(30)
        #expect(throttle.admit(address: attacker, account: "alice", now: soon) == .proceed(after: .zero))
        #expect(throttle.admit(address: attacker, account: "alice", now: soon) == .proceed(after: .seconds(4)))
        // A minute after the last attempt they are gone: four attempts go at once again.
        let later = soon + .seconds(4 + 8 + 61)
        let decisions = (0..<4).map { _ in throttle.admit(address: attacker, account: "alice", now: later) }
        #expect(decisions == Array(repeating: .proceed(after: .zero), count: 4))
    }

    @Test func failuresAreForgottenAndSuccessDoesNotResetTheAddress() {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        fail(throttle, 10, from: attacker, account: "alice", at: &now)
        throttle.recordSuccess(address: attacker, account: "mallory")
        #expect(throttle.admit(address: attacker, account: "mallory", now: now) == .refuse(after: .seconds(30)))
        now += .seconds(15 * 60 + 60)
        #expect(throttle.admit(address: attacker, account: "alice", now: now) == .proceed(after: .zero))
    }

    @Test func allowListedNetworksAreNeverSlowed() throws {
        var policy = ThrottlePolicy()
        policy.allowList = [try #require(ClientNetwork("203.0.113.0/24"))]
        let throttle = AuthThrottle(policy: policy, epoch: start)
        var now = start
        let decisions = fail(throttle, 30, from: attacker, account: "alice", at: &now)
        #expect(decisions.allSatisfy { $0 == .proceed(after: .zero) })
        #expect(throttle.counts.addresses == 0)
    }

    @Test func ipv6AttackerCannotEscapeByChangingAddressesInItsSlash64() throws {
        let throttle = AuthThrottle(epoch: start)
        var now = start
        for i in 0..<10 {
            let address = try #require(ClientAddress("2001:db8:5:6::\(String(i + 1, radix: 16))"))
            fail(throttle, 1, from: address, account: "alice", at: &now)
        }
        let fresh = try #require(ClientAddress("2001:db8:5:6:abcd::1"))
        #expect(throttle.admit(address: fresh, account: "bob", now: now) == .refuse(after: .seconds(30)))
    }

    /// Stress: a million distinct attacking addresses never hold more than `maxEntries` entries.
    @Test func memoryIsBoundedByMaxEntries() {
        var policy = ThrottlePolicy()
        policy.maxEntries = 10_000
        let throttle = AuthThrottle(policy: policy, epoch: start)
        for i in 0..<1_000_000 {
            let address = ClientAddress(bytes: [
                UInt8(i >> 24 | 1), UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF),
            ])
            throttle.recordFailure(address: address, account: "alice", now: start)
        }
        #expect(throttle.counts == (addresses: 10_000, accounts: 1))
        #expect(MemoryLayout<ThrottleEntry>.stride == 24, "an entry's fixed part stays small")
    }

    @Test func leastRecentlyUsedEntryMakesRoom() {
        var table = ThrottleTable(capacity: 3)
        for key: UInt64 in [1, 2, 3] { table.update(key) { $0.failures = UInt32(key) } }
        table.update(1) { $0.failures += 10 }  // 2 is now the oldest
        table.update(4) { $0.failures = 4 }
        #expect(table.entry(2) == nil)
        #expect(table.entry(1)?.failures == 11 && table.entry(3)?.failures == 3 && table.entry(4)?.failures == 4)
        #expect(table.count == 3)
        for key: UInt64 in 100..<1000 { table.update(key) { $0.failures = 1 } }
        #expect(table.count == 3 && table.entry(999) != nil && table.entry(997) != nil && table.entry(996) == nil)
    }
}
