import Foundation

/// The server side of OAUTHBEARER (RFC 7628) and XOAUTH2 (Google's variant): one client message with a
/// bearer token, which the session has checked.
///
/// Exchange: client message (maybe as the initial response) → `verifyBearerToken` → `tokenChecked`:
/// a good token → `success` (or `failure(.authorizationRefused)` when the client named another user);
/// a refused token → a challenge holding the JSON error (RFC 7628 §3.2.2), whose answer (`%x01` for
/// OAUTHBEARER §3.2.3, empty for XOAUTH2) ends the exchange with `failure(.authenticationFailed)`.
public struct BearerMechanism: Sendable {
    public enum Kind: Sendable {
        case oauthBearer
        case xoauth2

        public var name: String {
            switch self {
            case .oauthBearer: return "OAUTHBEARER"
            case .xoauth2: return "XOAUTH2"
            }
        }
    }

    private enum State: Sendable {
        case start
        case awaitingVerification(user: String?)
        case awaitingErrorAnswer
        case done
    }

    public let kind: Kind
    private let details: BearerErrorDetails
    private var state = State.start

    public init(_ kind: Kind, errorDetails: BearerErrorDetails) {
        self.kind = kind
        self.details = errorDetails
    }

    /// Both mechanisms are client-first: without an initial response the server sends an empty challenge.
    public mutating func start(initialResponse: [UInt8]?) -> SASLStep {
        guard let initialResponse else { return .challenge([]) }
        return respond(initialResponse)
    }

    public mutating func respond(_ data: [UInt8]) -> SASLStep {
        switch state {
        case .start:
            let parsed = kind == .oauthBearer ? BearerMessage.parseOAuthBearer(data) : BearerMessage.parseXOAuth2(data)
            switch parsed {
            case .success(let credentials):
                state = .awaitingVerification(user: credentials.user)
                return .verifyBearerToken(user: credentials.user, token: credentials.token)
            case .failure(let failure):
                return fail(failure)
            }
        case .awaitingErrorAnswer:
            // RFC 7628 §3.2.3: whatever the client answers, the exchange has failed.
            return fail(.authenticationFailed)
        case .awaitingVerification, .done:
            return fail(.malformed("unexpected message"))
        }
    }

    /// The session's verdict on the token. A good token must belong to the user the client named, if
    /// it named one (compared without case, like account names).
    public mutating func tokenChecked(_ outcome: BearerTokenOutcome) -> SASLStep {
        guard case .awaitingVerification(let user) = state else { return fail(.malformed("unexpected verdict")) }
        switch outcome {
        case .valid(let identity):
            if let user, user.lowercased() != identity.lowercased() { return fail(.authorizationRefused) }
            state = .done
            return .success(authcid: identity, finalData: nil)
        case .invalid(let rejection):
            state = .awaitingErrorAnswer
            return .challenge(errorChallenge(rejection.status))
        }
    }

    /// The answer a client gives to the error challenge (RFC 7628 §3.2.3; XOAUTH2: an empty response).
    public var errorAnswer: [UInt8] {
        kind == .oauthBearer ? [BearerMessage.kvsep] : []
    }

    /// The JSON error (RFC 7628 §3.2.2): `status` from RFC 6750 §3.1, `scope` and
    /// `openid-configuration` when known. XOAUTH2 gives the HTTP status and `schemes` as Google does.
    func errorChallenge(_ status: BearerErrorStatus) -> [UInt8] {
        var fields: [String: String] = [:]
        switch kind {
        case .oauthBearer:
            fields["status"] = status.rawValue
            fields["openid-configuration"] = details.openIDConfiguration
        case .xoauth2:
            fields["status"] = status.httpStatus
            fields["schemes"] = "bearer"
        }
        fields["scope"] = details.scope
        let json = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(json ?? Data())
    }

    private mutating func fail(_ failure: SASLFailure) -> SASLStep {
        state = .done
        return .failure(failure)
    }
}
