import Defences
import Foundation
import IMAPSession
import Logging
import MailStore
import ManageSieve
import Sieve

/// The state of one ManageSieve conversation and its commands (RFC 5804 §2). Owned by its
/// connection's task; never touches the channel (the connection writes `output`).
final class ManageSieveSession {
    enum Outcome {
        case next
        case close
        /// STARTTLS was accepted: the connection says OK in clear and starts TLS.
        case startTLS
    }

    /// Failed logins on one connection before it is closed (as IMAP's sessions do).
    static let maxFailedLogins = 5
    /// MAXREDIRECTS (RFC 5804 §1.7): redirect actions one script may take.
    static let maxRedirects = SieveLimits.maxRedirects

    let services: ManageSieveServices
    let startTLSAvailable: Bool
    let peer: TLSPeerBox
    let clientAddress: ClientAddress?
    var logger: Logger
    var input: ManageSieveInput
    var output: [UInt8] = []
    var tlsActive: Bool
    var account: (id: AccountID, name: String)?
    /// An AUTHENTICATE waiting for the client's answer to a challenge.
    var pendingAuthentication: SASLExchange?
    var failedLogins = 0
    var errorsInARow = 0
    var commands = 0
    /// The session slot taken at login (`ConnectionLimits`), given back at UNAUTHENTICATE or the end.
    var heldAccountSession: UInt64?

    init(
        services: ManageSieveServices, tlsActive: Bool, startTLSAvailable: Bool, peer: TLSPeerBox,
        clientAddress: ClientAddress?, logger: Logger
    ) {
        self.services = services
        self.tlsActive = tlsActive
        self.startTLSAvailable = startTLSAvailable
        self.peer = peer
        self.clientAddress = clientAddress
        self.logger = logger
        self.input = ManageSieveInput(limits: services.limits)
    }

    var limits: ManageSieveLimits { services.limits }

    func greeting() -> [UInt8] {
        capabilities() + ManageSieveResponse.final(.ok, text: "Postern ManageSieve ready")
    }

    func ok(_ text: String? = nil) -> [UInt8] { ManageSieveResponse.final(.ok, text: text) }

    /// The capability lines (RFC 5804 §1.7): SASL mechanisms only once TLS protects the connection
    /// (as IMAP, which refuses to log in without it), STARTTLS until then, OWNER once logged in.
    func capabilities() -> [UInt8] {
        var out = ManageSieveResponse.capability("IMPLEMENTATION", "Postern")
        let mechanisms =
            tlsActive ? SASLExchange.offered(peer: peer.current, bearer: saslLogin.bearerMechanismNames) : []
        out += ManageSieveResponse.capability("SASL", mechanisms.joined(separator: " "))
        out += ManageSieveResponse.capability("SIEVE", services.checker.extensions.joined(separator: " "))
        if !tlsActive && startTLSAvailable { out += ManageSieveResponse.capability("STARTTLS") }
        out += ManageSieveResponse.capability("MAXREDIRECTS", "\(Self.maxRedirects)")
        if let account { out += ManageSieveResponse.capability("OWNER", account.name) }
        out += ManageSieveResponse.capability("VERSION", "1.0")
        out += ManageSieveResponse.capability("UNAUTHENTICATE")
        return out
    }

    /// TLS is up: what arrived before is dropped, and SASL may be offered.
    func tlsStarted() {
        tlsActive = true
        input = ManageSieveInput(limits: limits)
    }

    func end() {
        endAccountSession()
    }

    /// Runs every line the input holds, until one ends the connection or starts TLS.
    func process() async -> Outcome {
        while let line = input.next() {
            commands += 1
            if commands > limits.maxCommands {
                output += ManageSieveResponse.final(.bye, text: "Too many commands on one connection")
                return .close
            }
            if let exchange = pendingAuthentication {
                pendingAuthentication = nil
                let outcome = await authenticateResponse(exchange, line)
                if case .next = outcome { continue }
                return outcome
            }
            let outcome: Outcome
            switch line {
            case .error(let error):
                outcome = refuse(error)
            case .tokens(let tokens):
                switch ManageSieveCommand.decode(tokens) {
                case .failure(let error):
                    outcome = malformed(error.text)
                case .success(let command):
                    errorsInARow = 0
                    outcome = await execute(command)
                }
            }
            if case .next = outcome { continue }
            return outcome
        }
        return .next
    }

    private func refuse(_ error: ManageSieveInputError) -> Outcome {
        switch error {
        case .lineTooLong:
            output += ManageSieveResponse.final(.bye, text: "Line too long")
            return .close
        case .literalTooLarge:
            errorsInARow += 1
            output += ManageSieveResponse.final(
                .no, code: .quotaMaxSize, text: "Larger than the \(limits.maxScriptSize) octets a script may have")
            return afterError()
        case .tooManyArguments: return malformed("Too many arguments")
        case .syntax(let why): return malformed("Syntax error: \(why)")
        }
    }

    private func malformed(_ text: String) -> Outcome {
        errorsInARow += 1
        output += ManageSieveResponse.final(.no, text: text)
        return afterError()
    }

    private func afterError() -> Outcome {
        guard errorsInARow >= limits.maxErrors else { return .next }
        output += ManageSieveResponse.final(.bye, text: "Too many errors")
        return .close
    }

    private func execute(_ command: ManageSieveCommand) async -> Outcome {
        switch command {
        case .capability:
            output += capabilities() + ok()
        case .logout:
            output += ok("Logout completed")
            return .close
        case .noop(let tag):
            output += ManageSieveResponse.final(.ok, code: tag.map { .tag($0) }, text: "Done")
        case .startTLS:
            guard !tlsActive, startTLSAvailable else {
                output += ManageSieveResponse.final(.no, text: "TLS is already active or not offered here")
                return .next
            }
            guard account == nil else {
                output += ManageSieveResponse.final(.no, text: "STARTTLS is only allowed before AUTHENTICATE")
                return .next
            }
            return .startTLS
        case .authenticate(let mechanism, let initial):
            return await authenticate(mechanism: mechanism, initialResponse: initial)
        case .unauthenticate:
            guard account != nil else {
                output += ManageSieveResponse.final(.no, text: "Not authenticated")
                return .next
            }
            endAccountSession()
            account = nil
            logger[metadataKey: "user"] = nil
            output += ok("Unauthenticated")
        default:
            guard let account else {
                output += ManageSieveResponse.final(.no, text: "Authenticate first")
                return .next
            }
            await scripts(command, account: account.id)
        }
        return .next
    }
}
