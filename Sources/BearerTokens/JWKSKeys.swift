import Foundation
import JWTKit

/// A JWKS document (RFC 7517 §5) that cannot be used: the reason, for one log line.
public struct JWKSError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// The signing keys of one JWKS document, each with the one algorithm it verifies.
public struct JWKSKeys: Sendable {
    /// Largest JWKS document read (an identity provider publishes a handful of keys).
    public static let maxDocumentBytes = 1024 * 1024

    let collection: JWTKeyCollection
    /// Key id → the `alg` a token signed with that key must name.
    let algorithms: [String: String]

    public var count: Int { algorithms.count }

    /// One entry of `keys`: a key jwt-kit can use, or nil for one it cannot (another `kty`).
    private struct Entry: Decodable {
        var jwk: JWK?
        var use: String?

        private enum CodingKeys: String, CodingKey { case use }

        init(from decoder: any Decoder) throws {
            jwk = try? JWK(from: decoder)
            use = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .use)
        }
    }

    private struct Document: Decodable {
        var keys: [Entry]
    }

    /// The signature keys of `data` (keys for encryption, `use` = `enc`, and unknown key types are left
    /// out). A key without `alg` verifies the usual algorithm of its type (RS256, ES256/384/512 by curve,
    /// EdDSA); a key without `kid` is used for tokens without one when it is the only key. Throws when
    /// the document does not parse, a key's material is broken, or no key is left.
    public static func parse(_ data: Data) async throws(JWKSError) -> JWKSKeys {
        guard data.count <= maxDocumentBytes else {
            throw JWKSError(description: "JWKS larger than \(maxDocumentBytes) bytes")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw JWKSError(description: "not a JWKS document (a JSON object with \"keys\")")
        }
        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        for (index, entry) in document.keys.enumerated() where entry.use != "enc" {
            guard var jwk = entry.jwk, let algorithm = jwk.algorithm ?? defaultAlgorithm(jwk) else { continue }
            jwk.algorithm = algorithm
            let kid = jwk.keyIdentifier?.string ?? "\u{0}key \(index)"
            jwk.keyIdentifier = JWKIdentifier(string: kid)
            do {
                try await collection.add(jwk: jwk)
            } catch {
                throw JWKSError(description: "key \(kid) is unusable: \(error)")
            }
            algorithms[kid] = algorithm.rawValue
        }
        guard !algorithms.isEmpty else { throw JWKSError(description: "JWKS has no signature key (RSA, EC or OKP)") }
        return JWKSKeys(collection: collection, algorithms: algorithms)
    }

    private static func defaultAlgorithm(_ jwk: JWK) -> JWK.Algorithm? {
        switch jwk.keyType {
        case .rsa: return .rs256
        case .octetKeyPair: return .eddsa
        case .ecdsa:
            switch jwk.curve?.rawValue {
            case "P-256": return .es256
            case "P-384": return .es384
            case "P-521": return .es512
            default: return nil
            }
        default: return nil
        }
    }

    /// The key id and algorithm for a token's header: its `kid`, or the only key when it names none.
    func key(for kid: String?) -> (kid: String, algorithm: String)? {
        if let kid { return algorithms[kid].map { (kid, $0) } }
        guard algorithms.count == 1, let only = algorithms.first else { return nil }
        return (only.key, only.value)
    }
}
