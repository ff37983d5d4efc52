import Crypto
import Foundation
import _CryptoExtras

/// An identity provider for tests: keys made here, their JWKS, and JWTs signed with swift-crypto
/// directly (not with jwt-kit, whose verification is under test).
struct TestTokenIssuer {
    static let issuer = "https://id.example"
    static let audience = "postern"
    /// RSA key generation is slow: one key pair for every test.
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let ec = P256.Signing.PrivateKey()

    enum Key {
        case rsa(_RSA.Signing.PrivateKey)
        case ec(P256.Signing.PrivateKey)

        var alg: String {
            switch self {
            case .rsa: return "RS256"
            case .ec: return "ES256"
            }
        }
    }

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The public JWK of `key` (RFC 7517 §4, RFC 7518 §6), with `alg` unless told otherwise.
    static func jwk(_ key: Key, kid: String?, withAlg: Bool = true) -> [String: String] {
        var jwk: [String: String]
        switch key {
        case .rsa(let rsa):
            let primitives = try! rsa.publicKey.getKeyPrimitives()
            jwk = ["kty": "RSA", "n": base64URL(primitives.modulus), "e": base64URL(primitives.publicExponent)]
        case .ec(let ec):
            let point = ec.publicKey.x963Representation.dropFirst()
            jwk = ["kty": "EC", "crv": "P-256", "x": base64URL(point.prefix(32)), "y": base64URL(point.suffix(32))]
        }
        jwk["use"] = "sig"
        if let kid { jwk["kid"] = kid }
        if withAlg { jwk["alg"] = key.alg }
        return jwk
    }

    static func jwks(_ keys: [[String: String]]) -> Data {
        try! JSONSerialization.data(withJSONObject: ["keys": keys])
    }

    /// Claims that pass the test policy for `email`, valid for an hour.
    static func claims(email: String = "alice@example.com", now: Date = Date()) -> [String: Any] {
        let time = now.timeIntervalSince1970
        return [
            "iss": issuer, "aud": audience, "sub": "1234", "email": email, "iat": Int(time), "nbf": Int(time),
            "exp": Int(time) + 3600,
        ]
    }

    /// A compact JWS of `claims`, its header naming `kid` and `alg` (default: the key's).
    static func token(_ claims: [String: Any], key: Key, kid: String?, alg: String? = nil) -> String {
        var header: [String: String] = ["typ": "JWT", "alg": alg ?? key.alg]
        if let kid { header["kid"] = kid }
        let input =
            base64URL(try! JSONSerialization.data(withJSONObject: header)) + "."
            + base64URL(try! JSONSerialization.data(withJSONObject: claims))
        let signature: Data
        switch key {
        case .rsa(let rsa):
            signature = try! rsa.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5).rawRepresentation
        case .ec(let ec):
            signature = try! ec.signature(for: Data(input.utf8)).rawRepresentation
        }
        return input + "." + base64URL(signature)
    }
}
