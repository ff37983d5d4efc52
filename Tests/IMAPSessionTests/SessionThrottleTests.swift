import Defences
import Testing

@testable import IMAPSession

/// LOGIN and AUTHENTICATE through the throttle: failures from one address lock it out across sessions,
/// while another address logs in to the same account.
@Suite struct SessionThrottleTests {
    static func policy() -> ThrottlePolicy {
        var policy = ThrottlePolicy()
        policy.freeFailures = 2
        policy.baseDelay = .milliseconds(1)
        policy.maxDelay = .milliseconds(4)
        policy.lockoutFailures = 5
        policy.accountMaxDelay = .milliseconds(2)
        return policy
    }

    func client(_ env: SessionEnvironment, _ throttle: AuthThrottle, from address: String) async -> SessionClient {
        await env.client {
            $0.throttle = throttle
            $0.clientAddress = ClientAddress(address)
        }
    }

    func answer(_ client: SessionClient, _ command: String) async -> String {
        await client.send(command + "\r\n")
        return client.lines().map(\.text).last ?? ""
    }

    @Test(arguments: Engine.allCases)
    func lockoutAcrossSessionsSparesOtherAddresses(_ engine: Engine) async throws {
        let env = try await SessionEnvironment(engine: engine)
        let throttle = AuthThrottle(policy: Self.policy())
        let first = await client(env, throttle, from: "203.0.113.5")
        for i in 1...3 {
            #expect(await answer(first, "a\(i) LOGIN alice wrong\(i)").hasPrefix("a\(i) NO [AUTHENTICATIONFAILED]"))
        }
        // AUTHENTICATE PLAIN counts too (authzid empty, authcid alice, password "nope").
        await first.send("p1 AUTHENTICATE PLAIN\r\n")
        #expect(await answer(first, "AGFsaWNlAG5vcGU=").hasPrefix("p1 NO [AUTHENTICATIONFAILED]"))
        // A new connection from the same address: its fifth failure, then the lockout, even for the
        // right password (it is not checked).
        let second = await client(env, throttle, from: "203.0.113.5")
        #expect(await answer(second, "b1 LOGIN bob wrong").hasPrefix("b1 NO [AUTHENTICATIONFAILED]"))
        let locked = await answer(second, "b2 LOGIN \(SessionEnvironment.user) \"\(SessionEnvironment.password)\"")
        #expect(locked.hasPrefix("b2 NO [UNAVAILABLE]"))
        // The owner, from elsewhere, gets in.
        let owner = await client(env, throttle, from: "2001:db8::1")
        let ok = await answer(owner, "c1 LOGIN \(SessionEnvironment.user) \"\(SessionEnvironment.password)\"")
        #expect(ok.hasPrefix("c1 OK"))
        // Both addresses are remembered (every attempt takes its place in its address's queue); only
        // the attacker's has failures.
        #expect(throttle.counts.addresses == 2)
    }

    @Test func loggableNamesCannotForgeLogLines() {
        #expect(IMAPSession.loggable("eve\r\nauthentication ok") == "eve??authentication ok")
        #expect(IMAPSession.loggable(String(repeating: "x", count: 100)).count == 64)
        #expect(IMAPSession.loggable("Zoë") == "Zoë")
    }
}

/// Logged-in sessions per account and address (`ConnectionLimits`), and a connection refused by the
/// server, which the session greets with BYE.
@Suite struct SessionLimitTests {
    func client(
        _ env: SessionEnvironment, _ limits: ConnectionLimits, from address: String, refusal: String? = nil
    )
        async -> SessionClient
    {
        var configuration = env.configuration()
        configuration.connectionLimits = limits
        configuration.clientAddress = ClientAddress(address)
        configuration.refusal = refusal
        return await SessionClient(configuration: configuration)
    }

    @Test(arguments: Engine.allCases)
    func sessionsPerAccountAndAddress(_ engine: Engine) async throws {
        let env = try await SessionEnvironment(engine: engine)
        var policy = ConnectionPolicy()
        policy.maxSessionsPerAccountAndAddress = 2
        let limits = ConnectionLimits(policy: policy)
        let login = "a LOGIN \(SessionEnvironment.user) \"\(SessionEnvironment.password)\"\r\n"
        var open: [SessionClient] = []
        for _ in 0..<2 {
            let c = await client(env, limits, from: "192.0.2.1")
            _ = c.lines()
            await c.send(login)
            #expect(c.lines().last?.text.hasPrefix("a OK") == true)
            open.append(c)
        }
        let third = await client(env, limits, from: "192.0.2.1")
        _ = third.lines()
        await third.send(login)
        let refused = third.lines().map(\.text)
        #expect(refused.first?.hasPrefix("* BYE [LIMIT]") == true, "\(refused)")
        #expect(refused.last?.hasPrefix("a NO [LIMIT]") == true, "\(refused)")
        // Another address, and the same address after a LOGOUT, get in; the open sessions go on.
        let elsewhere = await client(env, limits, from: "192.0.2.9")
        _ = elsewhere.lines()
        await elsewhere.send(login)
        #expect(elsewhere.lines().last?.text.hasPrefix("a OK") == true)
        await open[0].send("z LOGOUT\r\n")
        let again = await client(env, limits, from: "192.0.2.1")
        _ = again.lines()
        await again.send(login)
        #expect(again.lines().last?.text.hasPrefix("a OK") == true)
        await open[1].send("n NOOP\r\n")
        #expect(open[1].lines().last?.text.hasPrefix("n OK") == true)
    }

    @Test func refusedConnectionIsGreetedWithBye() async throws {
        let env = try await SessionEnvironment(engine: .memory)
        let c = await client(env, ConnectionLimits(), from: "192.0.2.1", refusal: "Too many connections (3)")
        #expect(c.lines().map(\.text) == ["* BYE Too many connections (3)"])
    }
}
