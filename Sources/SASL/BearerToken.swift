/// What checks an OAuth 2.0 bearer token (RFC 6750) for OAUTHBEARER and XOAUTH2. The mechanisms only
/// parse; the session asks a verifier, given to it by the server, whether a token is good and whose it is.
public protocol BearerTokenVerifier: Sendable {
    /// The account name the token claims, read WITHOUT checking the token: only a key for the login
    /// throttle when the client named no user, never a reason to trust anything. Nil when unreadable.
    func claimedIdentity(of token: String) -> String?
    /// Checks the token (signature, lifetime, issuer, audience) and names its account.
    func verify(_ token: String) async -> BearerTokenOutcome
    /// What a failed exchange may tell the client beyond the status (RFC 7628 §3.2.2).
    var errorDetails: BearerErrorDetails { get }
}

/// The result of checking a bearer token.
public enum BearerTokenOutcome: Sendable, Equatable {
    /// The token is good and names this account.
    case valid(identity: String)
    case invalid(BearerTokenRejection)
}

/// Why a token was refused: a status for the client and a reason for the log (never the token).
public struct BearerTokenRejection: Sendable, Equatable, Error {
    public var status: BearerErrorStatus
    public var reason: String

    public init(_ status: BearerErrorStatus = .invalidToken, reason: String) {
        self.status = status
        self.reason = reason
    }
}

/// The error codes of RFC 6750 §3.1, as OAUTHBEARER's `status` (RFC 7628 §3.2.2).
public enum BearerErrorStatus: String, Sendable, Equatable {
    case invalidRequest = "invalid_request"
    case invalidToken = "invalid_token"
    case insufficientScope = "insufficient_scope"

    /// The HTTP status Google's XOAUTH2 puts in its `status` field for the same error.
    public var httpStatus: String {
        switch self {
        case .invalidRequest: return "400"
        case .invalidToken: return "401"
        case .insufficientScope: return "403"
        }
    }
}

/// The optional fields of the error challenge (RFC 7628 §3.2.2): only what the server can fill truthfully.
public struct BearerErrorDetails: Sendable, Equatable {
    /// Space-separated OAuth scopes a token needs (`scope`).
    public var scope: String?
    /// Where the issuer's OpenID Provider configuration is (`openid-configuration`).
    public var openIDConfiguration: String?

    public init(scope: String? = nil, openIDConfiguration: String? = nil) {
        self.scope = scope
        self.openIDConfiguration = openIDConfiguration
    }
}
