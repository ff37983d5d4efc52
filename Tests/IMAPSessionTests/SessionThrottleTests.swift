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
        var configuration = env.configuration()
        configuration.throttle = throttle
        configuration.clientAddress = ClientAddress(address)
        let client = await SessionClient(configuration: configuration)
        _ = client.lines()
        return client
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
        #expect(throttle.counts.addresses == 1)
    }

    @Test func loggableNamesCannotForgeLogLines() {
        #expect(IMAPSession.loggable("eve\r\nauthentication ok") == "eve??authentication ok")
        #expect(IMAPSession.loggable(String(repeating: "x", count: 100)).count == 64)
        #expect(IMAPSession.loggable("Zoë") == "Zoë")
    }
}
