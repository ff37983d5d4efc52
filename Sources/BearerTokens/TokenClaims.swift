import Foundation
import JWTKit
import SASL

/// The claims of a JWT that the policy looks at (RFC 7519 §4.1), and every other claim whose value is a
/// string, since the account claim is chosen at run time (their number is bounded by
/// `SASLLimits.maxBearerMessageBytes`).
struct TokenClaims: JWTPayload {
    var expires: Double?
    var notBefore: Double?
    var issuedAt: Double?
    var issuer: String?
    var audience: [String]
    var strings: [String: String]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        expires = try container.decodeIfPresent(Double.self, forKey: Key(stringValue: "exp"))
        notBefore = try container.decodeIfPresent(Double.self, forKey: Key(stringValue: "nbf"))
        issuedAt = try container.decodeIfPresent(Double.self, forKey: Key(stringValue: "iat"))
        issuer = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "iss"))
        let audienceKey = Key(stringValue: "aud")
        if let one = try? container.decode(String.self, forKey: audienceKey) {
            audience = [one]
        } else {
            audience = try container.decodeIfPresent([String].self, forKey: audienceKey) ?? []
        }
        strings = [:]
        for key in container.allKeys {
            if let value = try? container.decode(String.self, forKey: key) { strings[key.stringValue] = value }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in strings { try container.encode(value, forKey: Key(stringValue: key)) }
    }

    /// The signature is checked by the key collection; the claims by `check`, which knows the policy.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The account this token names under `policy` at `now`, or why it is refused.
    func check(_ policy: JWTBearerPolicy, now: Date) -> Result<String, BearerTokenRejection> {
        let time = now.timeIntervalSince1970
        guard let expires else { return .failure(BearerTokenRejection(reason: "no exp claim")) }
        guard time < expires + policy.leeway else { return .failure(BearerTokenRejection(reason: "expired")) }
        if let notBefore, time + policy.leeway < notBefore {
            return .failure(BearerTokenRejection(reason: "not valid yet (nbf)"))
        }
        if let issuedAt, time + policy.leeway < issuedAt {
            return .failure(BearerTokenRejection(reason: "issued in the future (iat)"))
        }
        guard issuer == policy.issuer else { return .failure(BearerTokenRejection(reason: "wrong issuer")) }
        guard audience.contains(policy.audience) else {
            return .failure(BearerTokenRejection(reason: "wrong audience"))
        }
        guard let account = strings[policy.accountClaim], !account.isEmpty else {
            return .failure(BearerTokenRejection(reason: "no \(policy.accountClaim) claim"))
        }
        return .success(account)
    }
}
