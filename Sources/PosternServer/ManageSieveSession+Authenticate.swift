import Foundation
import IMAPSession
import Logging
import MailStore
import ManageSieve
import SASL
import Telemetry

/// AUTHENTICATE (RFC 5804 §2.1) with the mechanisms IMAP offers on the same connection (the shared
/// `SASLExchange` and `SASLLogin`, bearer tokens included), through the same authenticator and login throttle, and only
/// once TLS protects the connection. Challenges go as strings on their own line; the client answers each
/// with a string, or "*" to cancel. Additional data with success goes in `OK (SASL "...")`.
extension ManageSieveSession {
    func authenticate(mechanism: String, initialResponse: [UInt8]?) async -> Outcome {
        if account != nil {
            output += ManageSieveResponse.final(.no, text: "Already authenticated")
            return .next
        }
        guard tlsActive else {
            output += ManageSieveResponse.final(.no, code: .encryptNeeded, text: "Use STARTTLS before authenticating")
            return .next
        }
        let name = mechanism.uppercased()
        guard
            let chosen = SASLExchange.mechanism(
                named: name, peer: peer.current, bearer: { self.saslLogin.bearerMechanism(named: $0) })
        else {
            output += ManageSieveResponse.final(.no, text: "Unsupported authentication mechanism")
            return .next
        }
        var exchange = SASLExchange(tag: "", name: name, mechanism: chosen)
        var initial: [UInt8]?
        if let initialResponse {
            guard let bytes = Self.base64(initialResponse) else {
                output += ManageSieveResponse.final(.no, text: "Invalid base64 in the initial response")
                return .next
            }
            initial = bytes
        }
        let step = exchange.start(initial)
        return await drive(exchange, step)
    }

    /// The client's answer to a challenge: one string, "*" to cancel.
    func authenticateResponse(_ exchange: SASLExchange, _ line: ManageSieveLine) async -> Outcome {
        guard case .tokens(let tokens) = line, tokens.count == 1, case .string(let text) = tokens[0] else {
            output += ManageSieveResponse.final(.no, text: "Expected a string answering the challenge")
            return .next
        }
        if text == Array("*".utf8) {
            output += ManageSieveResponse.final(.no, text: "Authentication cancelled")
            return exchange.failureNoted ? afterFailedLogins() : .next
        }
        guard let bytes = Self.base64(text) else {
            output += ManageSieveResponse.final(.no, text: "Invalid base64 in the answer")
            return .next
        }
        var exchange = exchange
        let step = exchange.respond(bytes)
        return await drive(exchange, step)
    }

    private func drive(_ start: SASLExchange, _ first: SASLStep) async -> Outcome {
        let login = saslLogin
        let result = await login.drive(
            start, first,
            bearer: { exchange, token in
                await login.checkBearerToken(&exchange, token) { user, mechanism, reason in
                    await self.noteLoginFailure(user: user, mechanism: mechanism, reason: reason)
                }
            },
            log: { self.log($0, user: $1, mechanism: $2, reason: $3) })
        switch result {
        case .challenge(let exchange, let bytes):
            output += ManageSieveResponse.challenge(Data(bytes).base64EncodedString())
            pendingAuthentication = exchange
            return .next
        case .authenticated(let exchange, let account, let user, let finalData):
            Telemetry.authentication(mechanism: exchange.name, .success)
            return loggedIn(account: account, user: user, finalData: finalData)
        case .failed(let exchange, let failure):
            switch failure {
            case .malformed(let why):
                output += ManageSieveResponse.final(.no, text: "AUTHENTICATE \(exchange.name): \(why)")
                return .next
            case .authorizationRefused:
                output += ManageSieveResponse.final(.no, text: "Acting as another user is not allowed")
                return .next
            case .channelBindingRefused(let why):
                output += ManageSieveResponse.final(.no, text: "Channel binding: \(why)")
                return .next
            case .authenticationFailed:
                if exchange.failureNoted {
                    output += ManageSieveResponse.final(.no, text: "Authentication failed")
                    return afterFailedLogins()
                }
                return await loginFailed(user: exchange.user ?? "", mechanism: exchange.name)
            }
        case .refused:
            output += ManageSieveResponse.final(
                .no, code: .tryLater, text: "Too many failed logins from your address, try again later")
            return .next
        case .dropped:
            return .close
        }
    }

    private func loginFailed(user: String, mechanism: String) async -> Outcome {
        await noteLoginFailure(user: user, mechanism: mechanism, reason: "invalid credentials")
        output += ManageSieveResponse.final(.no, text: "Authentication failed")
        return afterFailedLogins()
    }

    /// Counts a failed login (the throttle, this connection), logs it and waits the failure delay.
    private func noteLoginFailure(user: String, mechanism: String, reason: String) async {
        failedLogins += 1
        let counts = services.throttle?.recordFailure(address: clientAddress, account: user)
        log(
            "failed", user: user, mechanism: mechanism, reason: reason,
            failures: counts.map { "\($0.address)/\($0.account)" })
        try? await Task.sleep(for: services.failedLoginDelay)
    }

    /// The logins' shared steps with this connection's facts.
    var saslLogin: SASLLogin {
        SASLLogin(
            authenticator: services.authenticator, throttle: services.throttle, clientAddress: clientAddress,
            bearerVerifier: services.bearerVerifier)
    }

    private func afterFailedLogins() -> Outcome {
        guard failedLogins >= Self.maxFailedLogins else { return .next }
        output += ManageSieveResponse.final(.bye, text: "Too many failed logins")
        return .close
    }

    private func loggedIn(account: AccountID, user: String, finalData: [UInt8]?) -> Outcome {
        services.throttle?.recordSuccess(address: clientAddress, account: user)
        if let limits = services.connectionLimits {
            let key = UInt64(bitPattern: account)
            if let refusal = limits.beginSession(account: key, address: clientAddress) {
                log("refused", user: user, mechanism: "-", reason: "session limit")
                output += ManageSieveResponse.final(.bye, code: .tryLater, text: refusal.description)
                return .close
            }
            heldAccountSession = key
        }
        self.account = (account, user)
        logger[metadataKey: "user"] = "\(IMAPSession.loggable(user))"
        logger.info("managesieve: logged in")
        output += ManageSieveResponse.final(
            .ok, code: finalData.map { .sasl(Data($0).base64EncodedString()) }, text: "Logged in")
        return .next
    }

    /// One line per refused login, in the format of IMAP's (`authentication OUTCOME`), never the password.
    private func log(_ outcome: String, user: String, mechanism: String, reason: String, failures: String? = nil) {
        var metadata: Logger.Metadata = [
            "address": "\(clientAddress?.description ?? "-")", "account": "\(IMAPSession.loggable(user))",
            "mechanism": "\(mechanism)", "reason": "\(reason)", "protocol": "managesieve",
        ]
        if let failures { metadata["failures"] = "\(failures)" }
        logger.notice("authentication \(outcome)", metadata: metadata)
        Telemetry.authentication(mechanism: mechanism, Telemetry.AuthResult(rawValue: outcome) ?? .failed)
    }

    func endAccountSession() {
        guard let key = heldAccountSession else { return }
        heldAccountSession = nil
        services.connectionLimits?.endSession(account: key, address: clientAddress)
    }

    static func base64(_ bytes: [UInt8]) -> [UInt8]? {
        if bytes.isEmpty || bytes == Array("=".utf8) { return [] }
        return Data(base64Encoded: Data(bytes)).map { Array($0) }
    }
}
