import BearerTokens
import Foundation
import SASL
import Testing

/// JWTs checked against a JWKS (RS256 and ES256): signature, key choice, lifetime, issuer, audience and
/// the account claim; broken JWKS documents; a JWKS file read again when it changes.
@Suite struct JWTBearerVerifierTests {
    typealias Issuer = TestTokenIssuer
    static let policy = JWTBearerPolicy(issuer: Issuer.issuer, audience: Issuer.audience)
    static let rsaKey = Issuer.Key.rsa(Issuer.rsa)
    static let ecKey = Issuer.Key.ec(Issuer.ec)

    func verifier(
        _ keys: [[String: String]] = [Issuer.jwk(rsaKey, kid: "r1"), Issuer.jwk(ecKey, kid: "e1")],
        policy: JWTBearerPolicy = policy
    ) async throws -> JWTBearerVerifier {
        JWTBearerVerifier(policy: policy, keys: try await JWKSKeys.parse(Issuer.jwks(keys)))
    }

    func refusal(_ outcome: BearerTokenOutcome) -> String? {
        guard case .invalid(let rejection) = outcome else { return nil }
        #expect(rejection.status == .invalidToken)
        return rejection.reason
    }

    @Test func goodTokensOfBothAlgorithms() async throws {
        let verifier = try await verifier()
        let rsa = Issuer.token(Issuer.claims(), key: Self.rsaKey, kid: "r1")
        #expect(await verifier.verify(rsa) == .valid(identity: "alice@example.com"))
        let ec = Issuer.token(Issuer.claims(email: "bob@example.com"), key: Self.ecKey, kid: "e1")
        #expect(await verifier.verify(ec) == .valid(identity: "bob@example.com"))
        #expect(verifier.keyCount == 2)
    }

    @Test func wrongSignatureAndKeyChoice() async throws {
        let verifier = try await verifier()
        let other = Issuer.Key.ec(.init())
        #expect(refusal(await verifier.verify(Issuer.token(Issuer.claims(), key: other, kid: "e1"))) == "bad signature")
        // The RSA key's token, claiming to be signed by the EC key.
        #expect(
            refusal(await verifier.verify(Issuer.token(Issuer.claims(), key: Self.rsaKey, kid: "e1")))
                == "alg RS256 is not the key's")
        var tampered = Issuer.token(Issuer.claims(), key: Self.rsaKey, kid: "r1").split(separator: ".").map(String.init)
        tampered[1] = Issuer.base64URL(
            try JSONSerialization.data(withJSONObject: Issuer.claims(email: "eve@example.com")))
        #expect(refusal(await verifier.verify(tampered.joined(separator: "."))) == "bad signature")
        #expect(
            refusal(await verifier.verify(Issuer.token(Issuer.claims(), key: Self.rsaKey, kid: "r9"))) == "unknown kid")
        // Without kid: refused while there are two keys, accepted with one.
        #expect(refusal(await verifier.verify(Issuer.token(Issuer.claims(), key: Self.rsaKey, kid: nil))) == "no kid")
        let single = try await self.verifier([Issuer.jwk(Self.rsaKey, kid: "r1")])
        #expect(
            await single.verify(Issuer.token(Issuer.claims(), key: Self.rsaKey, kid: nil))
                == .valid(identity: "alice@example.com"))
    }

    @Test func algorithmNoneAndMalformedTokens() async throws {
        let verifier = try await verifier()
        let header = Issuer.base64URL(Data(#"{"alg":"none","kid":"r1"}"#.utf8))
        let body = Issuer.base64URL(try JSONSerialization.data(withJSONObject: Issuer.claims()))
        #expect(refusal(await verifier.verify("\(header).\(body).")) == "alg none is not the key's")
        let hs = Issuer.token(Issuer.claims(), key: Self.rsaKey, kid: "r1", alg: "HS256")
        #expect(refusal(await verifier.verify(hs)) == "alg HS256 is not the key's")
        for bad in ["", "a.b", "a.b.c", "%%.e30.x", "\(header).\(body)"] {
            #expect(refusal(await verifier.verify(bad)) == "not a signed JWT", "\(bad)")
        }
        let garbage = Issuer.token(["exp": "soon"], key: Self.rsaKey, kid: "r1")
        #expect(refusal(await verifier.verify(garbage)) == "malformed JWT")
    }

    @Test func lifetimeWithLeeway() async throws {
        let verifier = try await verifier()
        let now = Date()
        func check(_ shift: TimeInterval, _ mutate: (inout [String: Any]) -> Void) async -> BearerTokenOutcome {
            var claims = Issuer.claims(now: now.addingTimeInterval(shift))
            mutate(&claims)
            return await verifier.verify(Issuer.token(claims, key: Self.ecKey, kid: "e1"))
        }
        let leeway = JWTBearerPolicy.defaultLeeway
        #expect(refusal(await check(-3600 - leeway - 5) { _ in }) == "expired")
        #expect(await check(-3600 - leeway + 5) { _ in } == .valid(identity: "alice@example.com"))
        #expect(refusal(await check(0) { $0["exp"] = nil }) == "no exp claim")
        #expect(refusal(await check(leeway + 5) { $0["iat"] = nil }) == "not valid yet (nbf)")
        #expect(refusal(await check(leeway + 5) { $0["nbf"] = nil }) == "issued in the future (iat)")
        #expect(await check(leeway - 5) { _ in } == .valid(identity: "alice@example.com"))
        let timeless = await check(0) {
            $0["nbf"] = nil
            $0["iat"] = nil
        }
        #expect(timeless == .valid(identity: "alice@example.com"))
    }

    @Test func issuerAudienceAndClaim() async throws {
        let verifier = try await verifier()
        func check(_ mutate: (inout [String: Any]) -> Void) async -> BearerTokenOutcome {
            var claims = Issuer.claims()
            mutate(&claims)
            return await verifier.verify(Issuer.token(claims, key: Self.rsaKey, kid: "r1"))
        }
        #expect(refusal(await check { $0["iss"] = "https://evil.example" }) == "wrong issuer")
        #expect(refusal(await check { $0["iss"] = nil }) == "wrong issuer")
        #expect(refusal(await check { $0["aud"] = "someone-else" }) == "wrong audience")
        #expect(refusal(await check { $0["aud"] = nil }) == "wrong audience")
        #expect(await check { $0["aud"] = ["other", Issuer.audience] } == .valid(identity: "alice@example.com"))
        #expect(refusal(await check { $0["email"] = nil }) == "no email claim")
        #expect(refusal(await check { $0["email"] = "" }) == "no email claim")
        #expect(refusal(await check { $0["email"] = 42 }) == "no email claim")

        var byName = Self.policy
        byName.accountClaim = "preferred_username"
        let named = try await self.verifier(policy: byName)
        var claims = Issuer.claims()
        claims["preferred_username"] = "carol"
        #expect(await named.verify(Issuer.token(claims, key: Self.rsaKey, kid: "r1")) == .valid(identity: "carol"))
        #expect(named.claimedIdentity(of: Issuer.token(claims, key: Self.ecKey, kid: "nope")) == "carol")
        #expect(named.claimedIdentity(of: "not.a.jwt") == nil)
    }

    @Test func errorDetailsFromThePolicy() {
        #expect(Self.policy.errorDetails.openIDConfiguration == "https://id.example/.well-known/openid-configuration")
        #expect(Self.policy.errorDetails.scope == nil)
        let plain = JWTBearerPolicy(issuer: "internal-idp", audience: "a", scope: "imap")
        #expect(plain.errorDetails == BearerErrorDetails(scope: "imap", openIDConfiguration: nil))
    }

    @Test func brokenJWKSDocuments() async throws {
        func reason(_ data: Data) async -> String? {
            do {
                _ = try await JWKSKeys.parse(data)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(await reason(Data("{".utf8)) == #"not a JWKS document (a JSON object with "keys")"#)
        #expect(await reason(Data("[]".utf8)) == #"not a JWKS document (a JSON object with "keys")"#)
        #expect(await reason(Issuer.jwks([])) == "JWKS has no signature key (RSA, EC or OKP)")
        var encryption = Issuer.jwk(Self.rsaKey, kid: "enc")
        encryption["use"] = "enc"
        #expect(
            await reason(Issuer.jwks([encryption, ["kty": "oct", "k": "c2VjcmV0"]]))
                == "JWKS has no signature key (RSA, EC or OKP)")
        var broken = Issuer.jwk(Self.ecKey, kid: "bad")
        broken["x"] = "AAAA"
        #expect(await reason(Issuer.jwks([broken]))?.hasPrefix("key bad is unusable") == true)
        #expect(await reason(Data(count: JWKSKeys.maxDocumentBytes + 1))?.hasPrefix("JWKS larger than") == true)
        // Keys without alg or kid are usable (RS256 for RSA, ES256 for P-256).
        let bare = try await JWKSKeys.parse(Issuer.jwks([Issuer.jwk(Self.ecKey, kid: nil, withAlg: false)]))
        let verifier = JWTBearerVerifier(policy: Self.policy, keys: bare)
        #expect(
            await verifier.verify(Issuer.token(Issuer.claims(), key: Self.ecKey, kid: nil))
                == .valid(identity: "alice@example.com"))
    }

    @Test func jwksFileIsReadAgainWhenItChanges() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "postern-jwks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("jwks.json")
        try Issuer.jwks([Issuer.jwk(Self.rsaKey, kid: "r1")]).write(to: path)
        let file = try await JWKSFile(path: path.path, policy: Self.policy)
        let ecToken = Issuer.token(Issuer.claims(), key: Self.ecKey, kid: "e1")
        #expect(refusal(await file.verifier.verify(ecToken)) == "unknown kid")
        #expect(await file.reloadIfChanged() == .unchanged)

        try Issuer.jwks([Issuer.jwk(Self.ecKey, kid: "e1")]).write(to: path, options: .atomic)
        #expect(await file.reloadIfChanged() == .reloaded(keys: 1))
        #expect(await file.verifier.verify(ecToken) == .valid(identity: "alice@example.com"))

        // A broken file keeps the keys, and is reported once.
        try Data("{\"keys\": [".utf8).write(to: path, options: .atomic)
        guard case .failed = await file.reloadIfChanged() else { Issue.record("broken file accepted"); return }
        #expect(await file.reloadIfChanged() == .unchanged)
        #expect(await file.verifier.verify(ecToken) == .valid(identity: "alice@example.com"))
        try FileManager.default.removeItem(at: path)
        guard case .failed = await file.reloadIfChanged() else { Issue.record("missing file accepted"); return }
        #expect(await file.verifier.verify(ecToken) == .valid(identity: "alice@example.com"))

        do {
            _ = try await JWKSFile(path: path.path, policy: Self.policy)
            Issue.record("a missing JWKS file was accepted at start")
        } catch {
            #expect("\(error)".hasPrefix("cannot read"))
        }
    }
}
