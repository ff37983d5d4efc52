import Defences
import Foundation
import SASL
import Synchronization
import Testing

@testable import IMAPSession

/// A verifier with fixed answers: `good-NAME` is NAME's token, any other `WHY-NAME` is refused for WHY
/// while claiming NAME. It counts the tokens it checked.
final class StubBearerVerifier: BearerTokenVerifier {
    let checked = Mutex(0)
    let errorDetails = BearerErrorDetails(openIDConfiguration: "https://id.example/.well-known/openid-configuration")

    func claimedIdentity(of token: String) -> String? {
        token.split(separator: "-", maxSplits: 1).last.map(String.init)
    }

    func verify(_ token: String) async -> BearerTokenOutcome {
        checked.withLock { $0 += 1 }
        let parts = token.split(separator: "-", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return .invalid(BearerTokenRejection(reason: "malformed")) }
        return parts[0] == "good" ? .valid(identity: parts[1]) : .invalid(BearerTokenRejection(reason: parts[0]))
    }

    var count: Int { checked.withLock { $0 } }
}

/// OAUTHBEARER and XOAUTH2 in the session: offered only with a verifier, a good token logs in to the
/// account it names, a refused one gets the JSON error challenge then NO, and every attempt passes the
/// throttle before its token is checked.
@Suite struct SessionBearerTests {
    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
    static func oauthBearer(_ token: String, user: String? = nil) -> String {
        base64("n,\(user.map { "a=\($0)" } ?? ""),\u{1}host=localhost\u{1}auth=Bearer \(token)\u{1}\u{1}")
    }
    static func xoauth2(_ token: String, user: String) -> String {
        base64("user=\(user)\u{1}auth=Bearer \(token)\u{1}\u{1}")
    }

    func client(
        _ env: SessionEnvironment, _ verifier: StubBearerVerifier?, throttle: AuthThrottle? = nil,
        from address: String = "192.0.2.7"
    ) async -> SessionClient {
        await env.client {
            $0.bearerVerifier = verifier
            $0.throttle = throttle
            $0.clientAddress = ClientAddress(address)
        }
    }

    func answer(_ client: SessionClient, _ line: String) async -> String {
        await client.send(line + "\r\n")
        return client.lines().map(\.text).last ?? ""
    }

    /// The JSON of an error challenge line (`+ BASE64`).
    func challengeJSON(_ line: String) -> [String: String] {
        guard line.hasPrefix("+ "), let data = Data(base64Encoded: String(line.dropFirst(2))),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        else { return [:] }
        return json
    }

    @Test func offeredOnlyWithAVerifier() async throws {
        let env = try await SessionEnvironment(engine: .memory)
        let without = await answer(await client(env, nil), "c1 CAPABILITY")
        #expect(without.hasPrefix("c1 OK"))
        let plain = await client(env, nil)
        await plain.send("c1 CAPABILITY\r\n")
        let capability = plain.lines().map(\.text).first ?? ""
        #expect(capability.contains("AUTH=PLAIN") && !capability.contains("OAUTHBEARER"))
        #expect(
            await answer(plain, "a1 AUTHENTICATE XOAUTH2 \(Self.xoauth2("good-alice", user: "alice"))").hasPrefix(
                "a1 NO [CANNOT]"))

        let offering = await client(env, StubBearerVerifier())
        await offering.send("c2 CAPABILITY\r\n")
        let offered = offering.lines().map(\.text).first ?? ""
        #expect(offered.contains(" AUTH=OAUTHBEARER AUTH=XOAUTH2"), "\(offered)")
    }

    @Test(arguments: Engine.allCases)
    func goodTokensLogIn(_ engine: Engine) async throws {
        let env = try await SessionEnvironment(engine: engine)
        let verifier = StubBearerVerifier()
        let named = await client(env, verifier)
        #expect(
            await answer(named, "a1 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("good-alice", user: "Alice"))")
                .hasPrefix("a1 OK"))
        #expect(await answer(named, "s1 SELECT INBOX").hasPrefix("s1 OK"))

        let anonymous = await client(env, verifier)
        #expect(await answer(anonymous, "a2 AUTHENTICATE OAUTHBEARER").hasPrefix("+"))
        #expect(await answer(anonymous, Self.oauthBearer("good-bob")).hasPrefix("a2 OK"))

        let google = await client(env, verifier)
        #expect(
            await answer(google, "a3 AUTHENTICATE XOAUTH2 \(Self.xoauth2("good-alice", user: "ALICE"))").hasPrefix(
                "a3 OK"))
        #expect(verifier.count == 3)
    }

    @Test func anotherUsersTokenIsAnAuthorizationFailure() async throws {
        let env = try await SessionEnvironment(engine: .memory)
        let client = await client(env, StubBearerVerifier())
        let answer = await answer(client, "a1 AUTHENTICATE XOAUTH2 \(Self.xoauth2("good-alice", user: "bob"))")
        #expect(answer.hasPrefix("a1 NO [AUTHORIZATIONFAILED]"))
        let other = await self.answer(
            client, "a2 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("good-bob", user: "alice"))")
        #expect(other.hasPrefix("a2 NO [AUTHORIZATIONFAILED]"))
    }

    @Test func refusedTokenGetsTheErrorChallengeThenNo() async throws {
        let env = try await SessionEnvironment(engine: .memory)
        let client = await client(env, StubBearerVerifier())
        let challenge = await answer(client, "a1 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("expired-alice"))")
        #expect(
            challengeJSON(challenge)
                == [
                    "status": "invalid_token",
                    "openid-configuration": "https://id.example/.well-known/openid-configuration",
                ])
        #expect(await answer(client, "AQ==").hasPrefix("a1 NO [AUTHENTICATIONFAILED]"))

        let google = await answer(client, "a2 AUTHENTICATE XOAUTH2 \(Self.xoauth2("expired-alice", user: "alice"))")
        #expect(challengeJSON(google) == ["status": "401", "schemes": "bearer"])
        #expect(await answer(client, "").hasPrefix("a2 NO [AUTHENTICATIONFAILED]"))

        // A good token for an account that does not exist is refused the same way.
        let unknown = await answer(client, "a3 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("good-carol"))")
        #expect(challengeJSON(unknown)["status"] == "invalid_token")
        #expect(await answer(client, "AQ==").hasPrefix("a3 NO [AUTHENTICATIONFAILED]"))
        #expect(await answer(client, "a4 AUTHENTICATE XOAUTH2 \(Self.base64("user=alice"))").hasPrefix("a4 BAD"))
    }

    @Test func throttleComesBeforeTheTokenAndCountsEveryRefusal() async throws {
        let env = try await SessionEnvironment(engine: .memory)
        var policy = SessionThrottleTests.policy()
        policy.lockoutFailures = 3
        let throttle = AuthThrottle(policy: policy)
        let verifier = StubBearerVerifier()
        let first = await client(env, verifier, throttle: throttle)
        // Keyed by the token's claim when no user is named; a cancelled error challenge still counts.
        #expect(
            challengeJSON(await answer(first, "a1 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("bad-alice"))")).count
                == 2)
        #expect(await answer(first, "*").hasPrefix("a1 BAD"))
        #expect(throttle.counts.addresses == 1 && throttle.counts.accounts == 1)
        _ = await answer(first, "a2 AUTHENTICATE XOAUTH2 \(Self.xoauth2("bad-alice", user: "bob"))")
        #expect(await answer(first, "").hasPrefix("a2 NO [AUTHENTICATIONFAILED]"))
        #expect(throttle.counts.addresses == 1 && throttle.counts.accounts == 2)
        _ = await answer(first, "a3 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("bad-alice"))")
        #expect(await answer(first, "AQ==").hasPrefix("a3 NO"))
        #expect(verifier.count == 3)
        // Locked out: even a good token is not looked at.
        let locked = await answer(first, "a4 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("good-alice"))")
        #expect(locked.hasPrefix("a4 NO [UNAVAILABLE]"))
        #expect(verifier.count == 3)
        let elsewhere = await client(env, verifier, throttle: throttle, from: "198.51.100.9")
        #expect(
            await answer(elsewhere, "b1 AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("good-alice"))").hasPrefix("b1 OK"))
    }

    @Test func tooManyRefusedTokensCloseTheConnection() async throws {
        let env = try await SessionEnvironment(engine: .memory)
        let client = await client(env, StubBearerVerifier())
        for i in 1..<IMAPSession.maxFailedLogins {
            _ = await answer(client, "a\(i) AUTHENTICATE XOAUTH2 \(Self.xoauth2("bad-alice", user: "alice"))")
            #expect(await answer(client, "").hasPrefix("a\(i) NO [AUTHENTICATIONFAILED]"))
        }
        _ = await answer(client, "z AUTHENTICATE OAUTHBEARER \(Self.oauthBearer("bad-alice"))")
        #expect(await answer(client, "*").hasPrefix("* BYE"))
        #expect(client.closed)
    }
}
