import Foundation
import JWTKit
import SASL
import Synchronization

/// Checks bearer tokens that are JWTs (RFC 7519) signed by a key of a JWKS document, under a policy
/// (issuer, audience, account claim, clock leeway). The keys can be replaced while in use; a token is
/// checked against the keys of the moment it arrived.
///
/// A token is refused when: it is not a compact JWS; its header names a `kid` not in the keys (or none
/// while there are several keys); its `alg` is not the one of its key (no algorithm substitution);
/// the signature does not verify; or its claims fail the policy (`TokenClaims.check`).
public final class JWTBearerVerifier: BearerTokenVerifier {
    public let policy: JWTBearerPolicy
    public let errorDetails: BearerErrorDetails
    private let keys: Mutex<JWKSKeys>
    private let now: @Sendable () -> Date

    public init(policy: JWTBearerPolicy, keys: JWKSKeys, now: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        self.errorDetails = policy.errorDetails
        self.keys = Mutex(keys)
        self.now = now
    }

    /// Uses `keys` for every token checked from now on.
    public func replaceKeys(_ keys: JWKSKeys) {
        self.keys.withLock { $0 = keys }
    }

    /// How many keys tokens are checked against.
    public var keyCount: Int { keys.withLock { $0.count } }

    public func claimedIdentity(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Self.base64URLDecode(parts[1]),
            let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { return nil }
        return object[policy.accountClaim] as? String
    }

    public func verify(_ token: String) async -> BearerTokenOutcome {
        let keys = self.keys.withLock { $0 }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Self.base64URLDecode(parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: headerBytes)
        else { return .invalid(BearerTokenRejection(reason: "not a signed JWT")) }
        guard let key = keys.key(for: header.kid) else {
            return .invalid(BearerTokenRejection(reason: header.kid == nil ? "no kid" : "unknown kid"))
        }
        guard header.alg == key.algorithm else {
            return .invalid(BearerTokenRejection(reason: "alg \(header.alg) is not the key's"))
        }
        let claims: TokenClaims
        do {
            claims = try await keys.collection.verify(token, as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            return .invalid(BearerTokenRejection(reason: "bad signature"))
        } catch {
            return .invalid(BearerTokenRejection(reason: "malformed JWT"))
        }
        switch claims.check(policy, now: now()) {
        case .success(let identity): return .valid(identity: identity)
        case .failure(let rejection): return .invalid(rejection)
        }
    }

    /// The JOSE header fields looked at before the signature (RFC 7515 §4.1).
    private struct Header: Decodable {
        var alg: String
        var kid: String?
    }

    /// base64url without padding (RFC 7515 §2).
    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
