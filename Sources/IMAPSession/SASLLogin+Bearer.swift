import MailStore
import SASL

/// OAUTHBEARER (RFC 7628) and XOAUTH2 for every protocol that authenticates: offered only when a
/// `BearerTokenVerifier` is configured; a good token opens the account it names.
extension SASLLogin {
    /// The bearer mechanisms, in the order they are offered.
    public static let bearerKinds: [BearerMechanism.Kind] = [.oauthBearer, .xoauth2]

    /// The names of the bearer mechanisms offered (none without a verifier).
    public var bearerMechanismNames: [String] { bearerVerifier == nil ? [] : Self.bearerKinds.map(\.name) }

    /// A fresh exchange of the bearer mechanism called `name` (upper case), if offered.
    public func bearerMechanism(named name: String) -> BearerMechanism? {
        guard let verifier = bearerVerifier, let kind = Self.bearerKinds.first(where: { $0.name == name }) else {
            return nil
        }
        return BearerMechanism(kind, errorDetails: verifier.errorDetails)
    }

    /// Checks the token and gives the verdict to the mechanism. A good token for a missing account is
    /// refused like a bad one. A refusal is noted (`noteFailure`: counted, logged, delayed) here, before
    /// the error challenge (RFC 7628 §3.2.2) tells the client, whatever it answers to it.
    public func checkBearerToken(
        _ exchange: inout SASLExchange, _ token: String,
        noteFailure: (_ user: String, _ mechanism: String, _ reason: String) async -> Void
    ) async -> SASLStep {
        guard let verifier = bearerVerifier, case .bearer(var bearer) = exchange.mechanism else {
            return .failure(.authenticationFailed)
        }
        var outcome = await verifier.verify(token)
        if case .valid(let identity) = outcome {
            exchange.account = await authenticator.account(named: identity)
            if exchange.account == nil { outcome = .invalid(BearerTokenRejection(reason: "no such account")) }
        }
        if case .invalid(let rejection) = outcome {
            exchange.failureNoted = true
            await noteFailure(
                exchange.user ?? "", exchange.name, "invalid token: \(IMAPSession.loggable(rejection.reason))")
        }
        let step = bearer.tokenChecked(outcome)
        exchange.mechanism = .bearer(bearer)
        return step
    }
}
