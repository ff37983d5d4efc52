import Foundation
import Testing

@testable import SASL

/// OAUTHBEARER (RFC 7628) and XOAUTH2: the client messages, every malformed one, and the exchange.
@Suite struct BearerMechanismTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let details = BearerErrorDetails(
        scope: "mail", openIDConfiguration: "https://id.example/.well-known/openid-configuration")

    func oauthBearer(_ s: String) -> Result<BearerCredentials, SASLFailure> {
        BearerMessage.parseOAuthBearer(bytes(s))
    }

    func xoauth2(_ s: String) -> Result<BearerCredentials, SASLFailure> { BearerMessage.parseXOAuth2(bytes(s)) }

    @Test func oauthBearerMessages() {
        // RFC 7628 §4.1's example.
        #expect(
            oauthBearer(
                "n,a=user@example.com,\u{1}host=server.example.com\u{1}port=143\u{1}auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\u{1}\u{1}"
            )
                == .success(
                    BearerCredentials(user: "user@example.com", token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==")))
        #expect(
            oauthBearer("n,,\u{1}auth=Bearer a.b.c\u{1}\u{1}") == .success(BearerCredentials(user: nil, token: "a.b.c"))
        )
        #expect(oauthBearer("y,,\u{1}auth=bearer   t\u{1}\u{1}") == .success(BearerCredentials(user: nil, token: "t")))
        #expect(
            oauthBearer("n,a=a=3Db=2Cc,\u{1}auth=BEARER t\u{1}x=\u{1}\u{1}")
                == .success(BearerCredentials(user: "a=b,c", token: "t")))
    }

    @Test(arguments: [
        ("", "expected gs2-header and kvsep"),
        ("\u{1}", "bad gs2-header"),
        ("n,,", "expected gs2-header and kvsep"),
        ("n,\u{1}auth=Bearer t\u{1}\u{1}", "bad gs2-header"),
        ("n,,x\u{1}auth=Bearer t\u{1}\u{1}", "bad gs2-header"),
        ("F,n,,\u{1}auth=Bearer t\u{1}\u{1}", "bad gs2-header"),
        ("q,,\u{1}auth=Bearer t\u{1}\u{1}", "bad gs2-cb-flag"),
        ("n,u=x,\u{1}auth=Bearer t\u{1}\u{1}", "bad authzid"),
        ("n,a=,\u{1}auth=Bearer t\u{1}\u{1}", "bad authzid"),
        ("n,a=x=2D,\u{1}auth=Bearer t\u{1}\u{1}", "bad authzid"),
        ("n,,\u{1}\u{1}", "no auth"),
        ("n,,\u{1}host=h\u{1}\u{1}", "no auth"),
        ("n,,\u{1}auth=Bearer t\u{1}", "unterminated key/value pair"),
        ("n,,\u{1}auth=Bearer t", "unterminated key/value pair"),
        ("n,,\u{1}auth=Bearer t\u{1}\u{1}x", "data after the last kvsep"),
        ("n,,\u{1}=v\u{1}auth=Bearer t\u{1}\u{1}", "bad key/value pair"),
        ("n,,\u{1}auth\u{1}\u{1}", "bad key/value pair"),
        ("n,,\u{1}au1th=v\u{1}\u{1}", "bad key/value pair"),
        ("n,,\u{1}auth=Bearer t\u{0}\u{1}\u{1}", "bad key/value pair"),
        ("n,,\u{1}auth=Bearer t\u{1}auth=Bearer u\u{1}\u{1}", "duplicate key auth"),
        ("n,,\u{1}auth=Basic dTpw\u{1}\u{1}", "auth is not a Bearer token"),
        ("n,,\u{1}auth=Bearer\u{1}\u{1}", "auth is not a Bearer token"),
        ("n,,\u{1}auth=Bearertoken\u{1}\u{1}", "bad b64token"),
        ("n,,\u{1}auth=Bearer  \u{1}\u{1}", "bad b64token"),
        ("n,,\u{1}auth=Bearer a b\u{1}\u{1}", "bad b64token"),
        ("n,,\u{1}auth=Bearer ==\u{1}\u{1}", "bad b64token"),
        ("n,,\u{1}auth=Bearer a=b\u{1}\u{1}", "bad b64token"),
    ])
    func malformedOAuthBearer(_ message: String, _ why: String) {
        #expect(oauthBearer(message) == .failure(.malformed(why)), "\(message.debugDescription)")
    }

    @Test func oauthBearerLimitsAndChannelBinding() {
        #expect(
            oauthBearer("p=tls-unique,,\u{1}auth=Bearer t\u{1}\u{1}")
                == .failure(.channelBindingRefused("OAUTHBEARER has no channel binding")))
        #expect(
            BearerMessage.parseOAuthBearer([0x6E, 0x2C, 0x2C, 0x01, 0xC3, 0x28, 0x01])
                == .failure(.malformed("bad key/value pair")))
        #expect(
            BearerMessage.parseOAuthBearer([0xFF, 0x2C, 0x2C, 0x01, 0x01])
                == .failure(.malformed("expected gs2-header and kvsep")))
        let long =
            "n,,\u{1}auth=Bearer " + String(repeating: "a", count: SASLLimits.maxBearerMessageBytes) + "\u{1}\u{1}"
        #expect(oauthBearer(long) == .failure(.malformed("message too long")))
        let name = String(repeating: "u", count: SASLLimits.maxFieldBytes + 1)
        #expect(oauthBearer("n,a=\(name),\u{1}auth=Bearer t\u{1}\u{1}") == .failure(.malformed("bad authzid")))
        let pairs = (1...SASLLimits.maxBearerPairs).map { String(repeating: "x", count: $0) + "=\u{1}" }.joined()
        #expect(
            oauthBearer("n,,\u{1}\(pairs)auth=Bearer t\u{1}\u{1}") == .failure(.malformed("too many key/value pairs")))
    }

    @Test func xoauth2Messages() {
        #expect(
            xoauth2("user=alice@example.com\u{1}auth=Bearer ya29.vF9dft4q\u{1}\u{1}")
                == .success(BearerCredentials(user: "alice@example.com", token: "ya29.vF9dft4q")))
        #expect(xoauth2("auth=Bearer t\u{1}user=bob\u{1}\u{1}") == .success(BearerCredentials(user: "bob", token: "t")))
        for (message, why) in [
            ("auth=Bearer t\u{1}\u{1}", "no user"),
            ("user=\u{1}auth=Bearer t\u{1}\u{1}", "no user"),
            (
                "user=\(String(repeating: "u", count: SASLLimits.maxFieldBytes + 1))\u{1}auth=Bearer t\u{1}\u{1}",
                "no user"
            ),
            ("user=bob\u{1}\u{1}", "no auth"),
            ("user=bob\u{1}auth=Bearer t\u{1}", "unterminated key/value pair"),
            ("user=bob auth=Bearer t", "unterminated key/value pair"),
            ("user=bob\u{1}auth=Token t\u{1}\u{1}", "auth is not a Bearer token"),
            ("user=bob\u{1}user=eve\u{1}auth=Bearer t\u{1}\u{1}", "duplicate key user"),
            ("", "unterminated key/value pair"),
        ] {
            #expect(xoauth2(message) == .failure(.malformed(why)), "\(message.debugDescription)")
        }
        let long =
            "user=u\u{1}auth=Bearer " + String(repeating: "a", count: SASLLimits.maxBearerMessageBytes) + "\u{1}\u{1}"
        #expect(xoauth2(long) == .failure(.malformed("message too long")))
    }

    @Test func goodTokenSucceedsForItsOwnUserOnly() {
        var named = BearerMechanism(.oauthBearer, errorDetails: Self.details)
        #expect(named.start(initialResponse: nil) == .challenge([]))
        #expect(
            named.respond(bytes("n,a=Alice,\u{1}auth=Bearer t\u{1}\u{1}"))
                == .verifyBearerToken(user: "Alice", token: "t"))
        #expect(named.tokenChecked(.valid(identity: "alice")) == .success(authcid: "alice", finalData: nil))
        #expect(named.respond([1]) == .failure(.malformed("unexpected message")))

        var anonymous = BearerMechanism(.oauthBearer, errorDetails: Self.details)
        #expect(
            anonymous.start(initialResponse: bytes("n,,\u{1}auth=Bearer t\u{1}\u{1}"))
                == .verifyBearerToken(user: nil, token: "t"))
        #expect(anonymous.tokenChecked(.valid(identity: "bob")) == .success(authcid: "bob", finalData: nil))

        var other = BearerMechanism(.xoauth2, errorDetails: Self.details)
        #expect(
            other.start(initialResponse: bytes("user=eve\u{1}auth=Bearer t\u{1}\u{1}"))
                == .verifyBearerToken(user: "eve", token: "t"))
        #expect(other.tokenChecked(.valid(identity: "alice")) == .failure(.authorizationRefused))
    }

    @Test func refusedTokenGetsTheErrorChallengeThenFails() throws {
        var oauth = BearerMechanism(.oauthBearer, errorDetails: Self.details)
        _ = oauth.start(initialResponse: bytes("n,,\u{1}auth=Bearer t\u{1}\u{1}"))
        let challenge = oauth.tokenChecked(.invalid(BearerTokenRejection(reason: "expired")))
        guard case .challenge(let json) = challenge else { Issue.record("no challenge: \(challenge)"); return }
        #expect(
            String(decoding: json, as: UTF8.self)
                == #"{"openid-configuration":"https://id.example/.well-known/openid-configuration","scope":"mail","status":"invalid_token"}"#
        )
        #expect(oauth.errorAnswer == [1])
        #expect(oauth.respond([1]) == .failure(.authenticationFailed))

        var google = BearerMechanism(.xoauth2, errorDetails: BearerErrorDetails())
        _ = google.start(initialResponse: bytes("user=u\u{1}auth=Bearer t\u{1}\u{1}"))
        let refused = google.tokenChecked(.invalid(BearerTokenRejection(.insufficientScope, reason: "scope")))
        #expect(refused == .challenge(bytes(#"{"schemes":"bearer","status":"403"}"#)))
        #expect(google.errorAnswer == [])
        // Any answer ends the exchange as failed: the client learned the outcome from the challenge.
        #expect(google.respond(bytes("user=u\u{1}auth=Bearer t\u{1}\u{1}")) == .failure(.authenticationFailed))
    }

    @Test func verdictOutOfTurnAndMalformedStart() {
        var early = BearerMechanism(.oauthBearer, errorDetails: Self.details)
        #expect(early.tokenChecked(.valid(identity: "a")) == .failure(.malformed("unexpected verdict")))
        var bad = BearerMechanism(.xoauth2, errorDetails: Self.details)
        #expect(bad.start(initialResponse: bytes("nonsense")) == .failure(.malformed("unterminated key/value pair")))
        #expect(bad.respond(bytes("user=u\u{1}auth=Bearer t\u{1}\u{1}")) == .failure(.malformed("unexpected message")))
        #expect(BearerErrorStatus.invalidRequest.httpStatus == "400")
        #expect(BearerErrorStatus.invalidToken.httpStatus == "401")
    }
}
