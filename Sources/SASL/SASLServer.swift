/// What the session does next in a SASL exchange (RFC 4422 §3; IMAP's AUTHENTICATE, RFC 9051 §6.2.2).
/// Mechanisms are pure state machines: they parse and check, the session does the I/O, the password
/// check and the credential look-up.
public enum SASLStep: Sendable, Equatable {
    /// Send this challenge (the session base64-encodes it) and feed the client's answer to `respond`.
    case challenge([UInt8])
    /// Check `password` for `authcid` (PLAIN, LOGIN); the exchange ends with the result.
    case verifyPassword(authcid: String, password: String)
    /// Look up the SCRAM verifier of `authcid` and pass it to `SCRAMServer.credentials`.
    case lookUp(authcid: String)
    /// Check this bearer token (OAUTHBEARER, XOAUTH2) for `user`, the name the client gave if any, and
    /// pass the verdict to `BearerMechanism.tokenChecked`.
    case verifyBearerToken(user: String?, token: String)
    /// `authcid` was authenticated outside SASL (EXTERNAL: a TLS client certificate); the exchange
    /// ends with a login to that account if it exists, else with a failure like wrong credentials.
    case authenticatedExternally(authcid: String)
    /// `authcid` is authenticated. `finalData` (RFC 4422 §3.6 additional data with success) goes out
    /// as a last challenge, answered by an empty response, before the tagged OK.
    case success(authcid: String, finalData: [UInt8]?)
    case failure(SASLFailure)
}

public enum SASLFailure: Error, Sendable, Equatable {
    /// The client's message does not follow the mechanism's syntax (a BAD).
    case malformed(String)
    /// Wrong credentials, or a proof that does not verify.
    case authenticationFailed
    /// The client asked to act as another identity (an authzid not its own).
    case authorizationRefused
    /// The client's channel-binding choice is refused (a downgrade, or binding on a mechanism without it).
    case channelBindingRefused(String)
}

/// Every limit of the SASL exchanges, in one place.
public enum SASLLimits {
    /// Longest client message a mechanism accepts (a SCRAM message is about 200 bytes).
    public static let maxMessageBytes = 8 * 1024
    /// Longest user name or password.
    public static let maxFieldBytes = 1024
    /// Longest OAUTHBEARER or XOAUTH2 message: a JWT from a large identity provider can take a few KB.
    public static let maxBearerMessageBytes = 16 * 1024
    /// Most key/value pairs in one OAUTHBEARER or XOAUTH2 message (RFC 7628 defines three keys).
    public static let maxBearerPairs = 16
}

/// PLAIN (RFC 4616): `message = [authzid] UTF8NUL authcid UTF8NUL passwd`, client-first.
public enum PlainMechanism {
    /// The client's message, or a failure. An authzid other than the authcid (compared without case)
    /// is refused: acting as another user is not supported.
    public static func parse(_ message: [UInt8]) -> SASLStep {
        guard message.count <= SASLLimits.maxMessageBytes else { return .failure(.malformed("message too long")) }
        let parts = message.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3, let authzid = utf8(parts[0]), let authcid = utf8(parts[1]),
            let password = utf8(parts[2]), !authcid.isEmpty,
            authcid.utf8.count <= SASLLimits.maxFieldBytes, password.utf8.count <= SASLLimits.maxFieldBytes
        else { return .failure(.malformed("expected authzid NUL authcid NUL password")) }
        if !authzid.isEmpty && authzid.lowercased() != authcid.lowercased() {
            return .failure(.authorizationRefused)
        }
        return .verifyPassword(authcid: authcid, password: password)
    }
}

/// LOGIN (draft-murchison-sasl-login): the server asks `Username:` then `Password:`; with an initial
/// response (RFC 4959), that response is the user name.
public struct LoginMechanism: Sendable {
    private var user: String?

    public init() {}

    public mutating func start(initialResponse: [UInt8]?) -> SASLStep {
        guard let initialResponse else { return .challenge(Array("Username:".utf8)) }
        return respond(initialResponse)
    }

    public mutating func respond(_ data: [UInt8]) -> SASLStep {
        guard data.count <= SASLLimits.maxFieldBytes, let text = utf8(data[...]), !text.contains("\0") else {
            return .failure(.malformed("expected a user name or a password"))
        }
        guard let user else {
            guard !text.isEmpty else { return .failure(.malformed("empty user name")) }
            self.user = text
            return .challenge(Array("Password:".utf8))
        }
        return .verifyPassword(authcid: user, password: text)
    }
}

func utf8(_ bytes: ArraySlice<UInt8>) -> String? {
    String(validating: bytes, as: UTF8.self)
}
