/// EXTERNAL (RFC 4422 Appendix A): the client was authenticated outside SASL, here by the TLS client
/// certificate it presented, whose account name the connection knows (`identity`). The client's one
/// message only says whom it wants to act as:
///
///     message = [authzid]   ; UTF-8 without NUL, at most SASLLimits.maxFieldBytes; empty: "as myself"
///
/// It is client-first (an empty challenge when the client sent no initial response). An authzid other
/// than the identity (compared without case) is refused: acting as another user is not supported.
public struct ExternalMechanism: Sendable {
    public static let name = "EXTERNAL"

    /// The account name the connection established; nil when it established none (EXTERNAL then
    /// fails like wrong credentials).
    public let identity: String?

    public init(identity: String?) {
        self.identity = identity
    }

    public func start(initialResponse: [UInt8]?) -> SASLStep {
        guard let initialResponse else { return .challenge([]) }
        return respond(initialResponse)
    }

    public func respond(_ message: [UInt8]) -> SASLStep {
        guard message.count <= SASLLimits.maxFieldBytes, let authzid = utf8(message[...]), !authzid.contains("\0")
        else { return .failure(.malformed("expected an authorization identity")) }
        guard let identity else { return .failure(.authenticationFailed) }
        if !authzid.isEmpty && authzid.lowercased() != identity.lowercased() {
            return .failure(.authorizationRefused)
        }
        return .authenticatedExternally(authcid: identity)
    }
}
