import Foundation

/// A password verifier in the SCRAM-SHA-256 form (RFC 5802 §3, RFC 7677): the password itself is never
/// stored. `storedKey = SHA256(HMAC(SaltedPassword, "Client Key"))`,
/// `serverKey = HMAC(SaltedPassword, "Server Key")`, `SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations)`.
public struct StoredCredentials: Sendable, Equatable {
    public var salt: [UInt8]
    public var iterations: Int
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }
}
