import BearerTokens
import Foundation
import Logging
import ServiceLifecycle

/// OAUTHBEARER and XOAUTH2 (`BearerTokens`): where the identity provider's signing keys are and what a
/// token must say. Off unless configured; then the JWKS file, the issuer and the audience are required.
public struct OAuthSettings: Sendable, Equatable {
    /// The TOML keys (the command line has the same names as `--oauth-jwks-file` ...).
    public static let tomlKeys: Set<String> = [
        "oauth_jwks_file", "oauth_issuer", "oauth_audience", "oauth_account_claim", "oauth_scope",
    ]

    public var jwksFile: String?
    public var issuer: String?
    public var audience: String?
    /// The claim naming the account (default `email`).
    public var accountClaim: String?
    /// Scopes named to a client whose token was refused (RFC 7628 §3.2.2).
    public var scope: String?

    public init() {}

    /// Takes the TOML keys that are set (`string` reads one as a string, or throws).
    mutating func apply(_ string: (String) throws -> String?) throws {
        if let v = try string("oauth_jwks_file") { jwksFile = v }
        if let v = try string("oauth_issuer") { issuer = v }
        if let v = try string("oauth_audience") { audience = v }
        if let v = try string("oauth_account_claim") { accountClaim = v }
        if let v = try string("oauth_scope") { scope = v }
    }

    /// The JWKS file and policy, nil when OAuth is off; throws when it is half configured.
    public func policy() throws -> (jwksFile: String, policy: JWTBearerPolicy)? {
        if jwksFile == nil, issuer == nil, audience == nil, accountClaim == nil, scope == nil { return nil }
        guard let jwksFile, !jwksFile.isEmpty, let issuer, !issuer.isEmpty, let audience, !audience.isEmpty else {
            throw ServerError.configuration("OAuth needs oauth_jwks_file, oauth_issuer and oauth_audience together")
        }
        if let accountClaim, accountClaim.isEmpty {
            throw ServerError.configuration("oauth_account_claim must name a claim (e.g. email)")
        }
        return (
            jwksFile,
            JWTBearerPolicy(
                issuer: issuer, audience: audience, accountClaim: accountClaim ?? JWTBearerPolicy.defaultAccountClaim,
                scope: scope)
        )
    }

    /// Reads the JWKS file (at start, before the server runs; nil when OAuth is off) and gives the
    /// service that reads it again whenever it changes.
    public func load(logger: Logger) async throws -> JWKSReloadService? {
        guard let (path, policy) = try policy() else { return nil }
        do {
            let file = try await JWKSFile(path: path, policy: policy)
            logger.info("OAuth enabled", metadata: ["jwks": "\(path)", "keys": "\(file.verifier.keyCount)"])
            return JWKSReloadService(file: file, logger: logger)
        } catch {
            throw ServerError.configuration("oauth_jwks_file \(path): \(error)")
        }
    }
}

/// Watches the JWKS file until the server shuts down (`JWKSFile.watch`).
public struct JWKSReloadService: Service {
    public let file: JWKSFile
    let logger: Logger

    public func run() async throws {
        await cancelWhenGracefulShutdown { await file.watch(logger: logger) }
    }
}
