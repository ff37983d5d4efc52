import MailStore
import SASL

/// OAUTHBEARER (RFC 7628) and XOAUTH2: the session's part, once the throttle admitted the attempt. The
/// token is checked by the configured `BearerTokenVerifier`; a good token opens the account it names.
extension IMAPSession {
    /// The bearer mechanisms, offered only when a verifier is configured.
    var bearerMechanisms: [BearerMechanism.Kind] { [.oauthBearer, .xoauth2] }

    /// A fresh exchange of the bearer mechanism called `name` (upper case), if offered.
    func bearerMechanism(named name: String) -> BearerMechanism? {
        guard let verifier = configuration.bearerVerifier,
            let kind = bearerMechanisms.first(where: { $0.name == name })
        else { return nil }
        return BearerMechanism(kind, errorDetails: verifier.errorDetails)
    }

    /// Checks the token and gives the verdict to the mechanism. A good token for a missing account is
    /// refused like a bad one. A refusal is counted, logged and delayed here, before the error
    /// challenge (RFC 7628 §3.2.2) tells the client, whatever it answers to it.
    func checkBearerToken(_ exchange: inout SASLExchange, _ token: String) async -> SASLStep {
        guard let verifier = configuration.bearerVerifier, case .bearer(var bearer) = exchange.mechanism else {
            return .failure(.authenticationFailed)
        }
        var outcome = await verifier.verify(token)
        if case .valid(let identity) = outcome {
            exchange.account = await configuration.authenticator.account(named: identity)
            if exchange.account == nil { outcome = .invalid(BearerTokenRejection(reason: "no such account")) }
        }
        if case .invalid(let rejection) = outcome {
            exchange.failureNoted = true
            await noteLoginFailure(
                user: exchange.user ?? "", mechanism: exchange.name,
                reason: "invalid token: \(Self.loggable(rejection.reason))")
        }
        let step = bearer.tokenChecked(outcome)
        exchange.mechanism = .bearer(bearer)
        return step
    }
}
