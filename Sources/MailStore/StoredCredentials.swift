public import SASL

/// A password verifier in the SCRAM-SHA-256 form (RFC 5802 §3, RFC 7677): the password itself is never
/// stored. `storedKey = SHA256(HMAC(SaltedPassword, "Client Key"))`,
/// `serverKey = HMAC(SaltedPassword, "Server Key")`, `SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations)`.
/// It is what a SCRAM exchange checks against, so the store keeps SASL's type.
public typealias StoredCredentials = SCRAMVerifier
