/// Why a message could not be handed to the relay. `isPermanent` tells a refusal that retrying will not
/// change (a 5xx reply) from a failure worth retrying (no connection, a timeout, a 4xx reply).
public enum RelayError: Error, Sendable, Equatable, CustomStringConvertible {
    case badEndpoint(String)
    case cannotConnect(String)
    case timedOut
    case closed
    /// The server's reply was not SMTP, or too long.
    case malformedReply
    /// The server refused a step: the command, the reply code and its first line.
    case refused(step: String, code: Int, text: String)
    /// An address cannot be sent (a control character or an angle bracket in it).
    case badAddress(String)

    public var isPermanent: Bool {
        switch self {
        case .refused(_, let code, _): code >= 500
        case .badAddress, .badEndpoint: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .badEndpoint(let text): text
        case .cannotConnect(let reason): "cannot connect to the relay: \(reason)"
        case .timedOut: "the relay did not answer in time"
        case .closed: "the relay closed the connection"
        case .malformedReply: "the relay's reply is not SMTP"
        case .refused(let step, let code, let text): "the relay refused \(step): \(code) \(text)"
        case .badAddress(let address): "cannot send to or from \(address.debugDescription)"
        }
    }
}
