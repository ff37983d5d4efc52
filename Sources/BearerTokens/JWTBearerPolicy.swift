import Foundation
import SASL

/// What a JWT must say to be accepted as a bearer token for IMAP, and how its account is named.
public struct JWTBearerPolicy: Sendable, Equatable {
    /// The claim that names the account unless configured otherwise.
    public static let defaultAccountClaim = "email"
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    public static let defaultLeeway: TimeInterval = 60

    /// The `iss` a token must carry, exactly (RFC 7519 §4.1.1).
    public var issuer: String
    /// A value the token's `aud` must contain (RFC 7519 §4.1.3).
    public var audience: String
    /// The string claim holding the account name (e.g. `email`, `preferred_username`, `sub`).
    public var accountClaim: String
    public var leeway: TimeInterval
    /// Scopes to name in the error challenge (RFC 7628 §3.2.2), if any.
    public var scope: String?

    public init(
        issuer: String, audience: String, accountClaim: String = Self.defaultAccountClaim,
        leeway: TimeInterval = Self.defaultLeeway, scope: String? = nil
    ) {
        self.issuer = issuer
        self.audience = audience
        self.accountClaim = accountClaim
        self.leeway = leeway
        self.scope = scope
    }

    /// The error challenge's optional fields: the scope if configured, and, for an `https` issuer, its
    /// OpenID Provider configuration at the place OpenID Connect Discovery 1.0 §4 puts it.
    public var errorDetails: BearerErrorDetails {
        var configuration: String?
        if issuer.lowercased().hasPrefix("https://") {
            configuration =
                (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
        }
        return BearerErrorDetails(scope: scope, openIDConfiguration: configuration)
    }
}
