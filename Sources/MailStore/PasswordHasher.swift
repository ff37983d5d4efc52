import Crypto
import Foundation
import _CryptoExtras

/// Makes and checks SCRAM-SHA-256 verifiers (`StoredCredentials`, RFC 5802 §3 / RFC 7677).
///
/// The password is used as its UTF-8 bytes (no SASLprep: ASCII passwords are unaffected).
public struct PasswordHasher: Sendable {
    /// PBKDF2 rounds for new verifiers. A SCRAM client computes them itself, and Cyrus SASL, which
    /// mbsync, mutt and others use, refuses a count above 65,536 ("iteration-count is too big"), so
    /// a larger count would lock those clients out of SCRAM-SHA-256. This is the largest count they
    /// all accept, 16 times RFC 7677's minimum of 4,096; online guessing is bounded by the login
    /// throttle, not by this cost.
    public static let defaultIterations = 65_536
    public static let saltByteCount = 16

    /// The rounds used by `makeCredentials`.
    public let iterations: Int

    public init() {
        iterations = Self.defaultIterations
    }

    /// TESTS ONLY: a hasher that makes weak verifiers with `unsafeTestIterations` rounds (≥ 1).
    public init(unsafeTestIterations: Int) {
        iterations = max(1, unsafeTestIterations)
    }

    /// A new verifier with a random 16-byte salt.
    public func makeCredentials(password: String) throws -> StoredCredentials {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return try Self.credentials(password: password, salt: salt, iterations: iterations)
    }

    /// Whether `password` matches the verifier. Compares in constant time; false on any failure.
    public func verify(password: String, against credentials: StoredCredentials) -> Bool {
        guard credentials.iterations > 0, !credentials.storedKey.isEmpty,
            let computed = try? Self.credentials(
                password: password, salt: credentials.salt, iterations: credentials.iterations)
        else { return false }
        return Self.constantTimeEqual(computed.storedKey, credentials.storedKey)
    }

    /// The verifier for a password, salt and iteration count (any count ≥ 1: verification must use
    /// whatever was stored).
    public static func credentials(password: String, salt: [UInt8], iterations: Int) throws -> StoredCredentials {
        let salted = try saltedPassword(password: password, salt: salt, iterations: iterations)
        let (storedKey, serverKey) = scramKeys(saltedPassword: salted)
        return StoredCredentials(salt: salt, iterations: iterations, storedKey: storedKey, serverKey: serverKey)
    }

    /// `SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations)`, 32 bytes.
    public static func saltedPassword(password: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32,
            unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Array($0) }
    }

    /// `ClientKey = HMAC(SaltedPassword, "Client Key")`, `StoredKey = SHA256(ClientKey)`,
    /// `ServerKey = HMAC(SaltedPassword, "Server Key")`.
    public static func scramKeys(saltedPassword: [UInt8]) -> (storedKey: [UInt8], serverKey: [UInt8]) {
        let key = SymmetricKey(data: saltedPassword)
        let clientKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: key))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let serverKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: key))
        return (storedKey, serverKey)
    }

    /// HMAC-SHA256 (for SCRAM: ClientSignature = HMAC(StoredKey, AuthMessage), and so on).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// Compares two byte strings without an early exit (the length is not secret).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Characters of generated passwords: no 0/O, 1/l/I look-alikes.
    public static let passwordAlphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    /// A random password (20 characters ≈ 115 bits by default) from `passwordAlphabet`.
    public static func generatePassword(length: Int = 20) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<max(1, length)).map { _ in passwordAlphabet.randomElement(using: &generator)! })
    }
}
