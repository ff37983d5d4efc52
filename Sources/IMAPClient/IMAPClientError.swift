import NIOSSL

/// Why talking to the source server failed, as one line that never contains a password.
public enum IMAPClientError: Error, CustomStringConvertible {
    case cannotConnect(String, reason: String)
    case tls(String, reason: String)
    case noStartTLS(String)
    case injectedAfterStartTLS
    case closed
    case bye(String)
    case timedOut(seconds: Int)
    case greeting(String)
    case loginRefused(login: String, text: String)
    case loginDisabled
    case unsendable(String)
    case failed(command: String, ResponseCondition, text: String)
    case unexpected(String)

    public var description: String {
        switch self {
        case .cannotConnect(let server, let reason): return "cannot connect to \(server): \(reason)"
        case .tls(let server, let reason): return "TLS with \(server) failed: \(reason)"
        case .noStartTLS(let server): return "\(server) does not offer STARTTLS (use imaps:// or a server that does)"
        case .injectedAfterStartTLS: return "the server sent data before the TLS handshake after STARTTLS"
        case .closed: return "the server closed the connection"
        case .bye(let text): return "the server ended the session: \(text)"
        case .timedOut(let seconds): return "the server sent nothing for \(seconds) seconds"
        case .greeting(let text): return "the server refused the connection: \(text)"
        case .loginRefused(let login, let text): return "login as \(login) refused: \(text)"
        case .loginDisabled: return "the server does not allow login (LOGINDISABLED, no AUTH=PLAIN)"
        case .unsendable(let what): return "\(what) cannot be sent to the server"
        case .failed(let command, let condition, let text): return "\(command) failed: \(condition.rawValue) \(text)"
        case .unexpected(let what): return "unexpected response from the server: \(what)"
        }
    }

    /// A one-line reason for a TLS failure (the certificate chain not trusted, or another cause).
    static func tlsReason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return "the server's certificate is not trusted (--ca-file trusts a given CA)"
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's certificate is not valid for this host name"
        }
        if let ssl = error as? NIOSSLError, case .uncleanShutdown = ssl { return "the server closed the connection" }
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
