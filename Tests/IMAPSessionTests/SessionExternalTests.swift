import Defences
import IMAPSession
import Testing

/// AUTHENTICATE EXTERNAL in the session: offered only with an identity from the connection's TLS
/// (`TLSPeer`, read when needed), logging in to that account, failing like a wrong password for a name
/// without an account.
@Suite struct SessionExternalTests {
    static func client(
        _ env: SessionEnvironment, identity: String?, throttle: AuthThrottle? = nil
    ) async
        -> SessionClient
    {
        var configuration = env.configuration()
        configuration.tlsPeer = { TLSPeer(channelBinding: [1, 2, 3], clientIdentity: identity) }
        configuration.throttle = throttle
        configuration.clientAddress = ClientAddress("203.0.113.7")
        let client = await SessionClient(configuration: configuration)
        _ = client.lines()
        return client
    }

    static func answer(_ client: SessionClient, _ command: String) async -> String {
        await client.send(command + "\r\n")
        return client.lines().map(\.text).last ?? ""
    }

    @Test(arguments: Engine.allCases)
    func offeredAndUsableOnlyWithAnIdentity(_ engine: Engine) async throws {
        let env = try await SessionEnvironment(engine: engine)
        let with = await Self.client(env, identity: SessionEnvironment.user)
        await with.send("c1 CAPABILITY\r\n")
        #expect(with.lines().first?.text.contains("AUTH=EXTERNAL AUTH=SCRAM-SHA-256-PLUS") == true)
        #expect(await Self.answer(with, "e1 AUTHENTICATE EXTERNAL =").hasPrefix("e1 OK [CAPABILITY"))
        #expect(await Self.answer(with, "s1 SELECT INBOX").hasPrefix("s1 OK"))

        let without = await Self.client(env, identity: nil)
        await without.send("c1 CAPABILITY\r\n")
        #expect(without.lines().first?.text.contains("AUTH=EXTERNAL") == false)
        #expect(await Self.answer(without, "e1 AUTHENTICATE EXTERNAL =").hasPrefix("e1 NO [CANNOT]"))
    }

    @Test(arguments: Engine.allCases)
    func challengeThenAuthzid(_ engine: Engine) async throws {
        let env = try await SessionEnvironment(engine: engine)
        let client = await Self.client(env, identity: SessionEnvironment.user)
        #expect(await Self.answer(client, "e1 AUTHENTICATE EXTERNAL") == "+ ")
        #expect(await Self.answer(client, "Ym9i").hasPrefix("e1 NO [AUTHORIZATIONFAILED]"))
        #expect(await Self.answer(client, "e2 AUTHENTICATE EXTERNAL") == "+ ")
        #expect(await Self.answer(client, "QUxJQ0U=").hasPrefix("e2 OK"))
    }

    /// A name without an account goes through the throttle as a failed login.
    @Test(arguments: Engine.allCases)
    func unknownAccountFailsLikeAWrongPassword(_ engine: Engine) async throws {
        let env = try await SessionEnvironment(engine: engine)
        let throttle = AuthThrottle(policy: ThrottlePolicy())
        let client = await Self.client(env, identity: "carol", throttle: throttle)
        #expect(await Self.answer(client, "e1 AUTHENTICATE EXTERNAL =").hasPrefix("e1 NO [AUTHENTICATIONFAILED]"))
        #expect(throttle.counts.addresses == 1)
        #expect(await Self.answer(client, "l1 LOGIN alice wrong").hasPrefix("l1 NO [AUTHENTICATIONFAILED]"))
    }
}
