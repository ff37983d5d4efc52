import Defences
import Foundation
import IMAPWire
import Logging
import MailStore
import NIOCore
import SASL
import Telemetry

/// LOGIN's completion and AUTHENTICATE (RFC 9051 §6.2.2, §6.2.3) with SASL-IR (RFC 4959): PLAIN
/// (RFC 4616), LOGIN, SCRAM-SHA-256 and, with TLS channel binding, SCRAM-SHA-256-PLUS (RFC 5802,
/// RFC 7677, RFC 5929), EXTERNAL (RFC 4422 Appendix A) on a connection whose client presented a
/// verified certificate, and with a token verifier OAUTHBEARER (RFC 7628) and XOAUTH2. Every attempt
/// goes through the throttle once its user name is known.
extension IMAPSession {
    /// The mechanisms offered (once TLS is active), strongest first.
    var saslMechanisms: [String] {
        SASLExchange.offered(peer: configuration.tlsPeer(), bearer: saslLogin.bearerMechanismNames)
    }

    func authenticate(_ tag: String, mechanism: String, initialResponse: String?) async -> ResumeDirective {
        if refusedBeforeLogin(tag) { return .next }
        let name = mechanism.uppercased()
        guard
            let chosen = SASLExchange.mechanism(
                named: name, peer: configuration.tlsPeer(), bearer: { self.saslLogin.bearerMechanism(named: $0) })
        else {
            tagged(tag, .no, code: .cannot, text: "Unsupported authentication mechanism")
            return .next
        }
        var exchange = SASLExchange(tag: tag, name: name, mechanism: chosen)
        // RFC 4959 §3: "=" is an empty initial response.
        var initial: [UInt8]?
        if let initialResponse {
            guard let bytes = Self.base64(initialResponse) else {
                tagged(tag, .bad, text: "Invalid base64 in the initial response")
                return .next
            }
            initial = bytes
        }
        let step = exchange.start(initial)
        return await drive(exchange, step)
    }

    /// The client's answer to a challenge; `*` cancels (RFC 9051 §6.2.2).
    func authenticateResponse(_ line: ByteBuffer) async -> ResumeDirective {
        guard var exchange = pendingAuthentication else { return .next }
        pendingAuthentication = nil
        let text = String(decoding: line.readableBytesView, as: UTF8.self)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r\n"))
        if text == "*" {
            tagged(exchange.tag, .bad, text: "AUTHENTICATE cancelled")
            return afterNotedFailure(exchange)
        }
        if let user = exchange.succeeded, let account = exchange.account {
            // The answer to the additional data with success is empty (RFC 4422 §3.6).
            guard text.isEmpty else {
                tagged(exchange.tag, .bad, text: "Expected an empty response")
                return .next
            }
            return loginSucceeded(exchange.tag, account: account, user: user, mechanism: exchange.name)
        }
        guard let bytes = Self.base64(text) else {
            tagged(exchange.tag, .bad, text: "Invalid base64 in AUTHENTICATE response")
            return afterNotedFailure(exchange)
        }
        let step = exchange.respond(bytes)
        return await drive(exchange, step)
    }

    /// The logins' shared steps (`SASLLogin`) with this connection's facts.
    var saslLogin: SASLLogin {
        SASLLogin(
            authenticator: configuration.authenticator, throttle: configuration.throttle,
            clientAddress: configuration.clientAddress, bearerVerifier: configuration.bearerVerifier)
    }

    /// Acts on a mechanism's step until the client must answer or the exchange ends.
    private func drive(_ start: SASLExchange, _ first: SASLStep) async -> ResumeDirective {
        let login = saslLogin
        let result = await login.drive(
            start, first,
            bearer: { exchange, token in
                await login.checkBearerToken(&exchange, token) { user, mechanism, reason in
                    await self.noteLoginFailure(user: user, mechanism: mechanism, reason: reason)
                }
            },
            log: { self.logAuthentication($0, user: $1, mechanism: $2, reason: $3) })
        switch result {
        case .challenge(let exchange, let bytes):
            send(.continuation(.text(Data(bytes).base64EncodedString())))
            pendingAuthentication = exchange
            return .rawLine
        case .authenticated(var exchange, let account, let user, let finalData):
            guard let finalData else {
                return loginSucceeded(exchange.tag, account: account, user: user, mechanism: exchange.name)
            }
            exchange.account = account
            exchange.succeeded = user
            send(.continuation(.text(Data(finalData).base64EncodedString())))
            pendingAuthentication = exchange
            return .rawLine
        case .failed(let exchange, let failure):
            return await saslFailed(exchange, failure)
        case .refused(let exchange):
            tagged(
                exchange.tag, .no, code: .unavailable, text: "Too many failed logins from your address, try again later"
            )
            return .next
        case .dropped:
            return .close
        }
    }

    private func saslFailed(_ exchange: SASLExchange, _ failure: SASLFailure) async -> ResumeDirective {
        switch failure {
        case .malformed(let why):
            tagged(exchange.tag, .bad, text: "AUTHENTICATE \(exchange.name): \(why)")
            return .next
        case .authorizationRefused:
            tagged(exchange.tag, .no, code: .authorizationFailed, text: "Acting as another user is not allowed")
            return .next
        case .channelBindingRefused(let why):
            tagged(exchange.tag, .no, code: .authenticationFailed, text: "Channel binding: \(why)")
            return .next
        case .authenticationFailed:
            if exchange.failureNoted { return refuseLogin(exchange.tag) }
            return await loginFailed(exchange.tag, user: exchange.user ?? "", mechanism: exchange.name)
        }
    }

    /// Answers a LOGIN or AUTHENTICATE that cannot go on: already logged in (BAD), or no TLS yet
    /// (`NO [PRIVACYREQUIRED]`: LOGINDISABLED, RFC 9051 §6.2.3, RFC 8314). True when it answered.
    func refusedBeforeLogin(_ tag: String) -> Bool {
        if account != nil {
            tagged(tag, .bad, text: "Already logged in")
            return true
        }
        guard tlsActive else {
            tagged(tag, .no, code: .privacyRequired, text: "Use STARTTLS or the IMAPS port before logging in")
            return true
        }
        return false
    }

    /// LOGIN and password mechanisms once the credentials are read: the throttle first, then the check.
    func completeLogin(_ tag: String, user: String, password: String, mechanism: String) async -> ResumeDirective {
        if let refusal = await admit(tag, user: user, mechanism: mechanism) { return refusal }
        guard let account = await configuration.authenticator.authenticate(name: user, password: password) else {
            return await loginFailed(tag, user: user, mechanism: mechanism)
        }
        return loginSucceeded(tag, account: account, user: user, mechanism: mechanism)
    }

    /// The throttle's decision for an attempt on `user`: nil to go on (after any wait it imposed), or
    /// the directive that ends the attempt (refused with `NO [UNAVAILABLE]`, or dropped).
    private func admit(_ tag: String, user: String, mechanism: String) async -> ResumeDirective? {
        let admission = await saslLogin.admit(
            user: user, mechanism: mechanism, log: { self.logAuthentication($0, user: $1, mechanism: $2, reason: $3) })
        switch admission {
        case .proceed: return nil
        case .refused:
            tagged(tag, .no, code: .unavailable, text: "Too many failed logins from your address, try again later")
            return .next
        case .dropped: return .close
        }
    }

    private func loginFailed(_ tag: String, user: String, mechanism: String) async -> ResumeDirective {
        await noteLoginFailure(user: user, mechanism: mechanism, reason: "invalid credentials")
        return refuseLogin(tag)
    }

    /// Counts a failed login (this connection, the throttle), logs it and waits the failed-login delay.
    func noteLoginFailure(user: String, mechanism: String, reason: String) async {
        failedLogins += 1
        let counts = configuration.throttle?.recordFailure(address: configuration.clientAddress, account: user)
        logAuthentication(
            "failed", user: user, mechanism: mechanism, reason: reason,
            failures: counts.map { "\($0.address)/\($0.account)" })
        try? await Task.sleep(for: configuration.failedLoginDelay)
    }

    /// The answer to a failed login already noted; the connection closes after too many.
    private func refuseLogin(_ tag: String) -> ResumeDirective {
        tagged(tag, .no, code: .authenticationFailed, text: "Authentication failed")
        return afterFailedLogins()
    }

    /// An exchange whose failure was noted ended another way (cancelled, bad base64): the connection
    /// still closes after too many failures.
    private func afterNotedFailure(_ exchange: SASLExchange) -> ResumeDirective {
        exchange.failureNoted ? afterFailedLogins() : .next
    }

    private func afterFailedLogins() -> ResumeDirective {
        guard failedLogins >= Self.maxFailedLogins else { return .next }
        bye("Too many failed logins")
        return .close
    }

    private func loginSucceeded(_ tag: String, account: AccountID, user: String, mechanism: String) -> ResumeDirective {
        configuration.throttle?.recordSuccess(address: configuration.clientAddress, account: user)
        if let limits = configuration.connectionLimits {
            let key = UInt64(bitPattern: account)
            if let refusal = limits.beginSession(account: key, address: configuration.clientAddress) {
                logAuthentication("refused", user: user, mechanism: "-", reason: "session limit")
                send(.condition(.bye, code: .limit, text: refusal.description))
                tagged(tag, .no, code: .limit, text: "Too many sessions")
                return .close
            }
            heldAccountSession = key
        }
        state.logIn(SessionState.LoggedIn(account: account, name: user))
        watchAccount(account)
        logger[metadataKey: "user"] = "\(user)"
        logger.info("logged in")
        Telemetry.authentication(mechanism: mechanism, .success)
        connection.setIdleTimeout(seconds: configuration.authenticatedIdleTimeout)
        tagged(tag, .ok, code: .capability(capabilities), text: "Logged in")
        return .next
    }

    static func base64(_ text: String) -> [UInt8]? {
        if text == "=" { return [] }
        return Data(base64Encoded: text).map { Array($0) }
    }

    /// One line per refused login, for fail2ban or a SIEM: `authentication OUTCOME` with the client's
    /// address, the account name as given, the mechanism, the reason and, when throttled, the failures
    /// so far (address/account). Never the password.
    func logAuthentication(
        _ outcome: String, user: String, mechanism: String, reason: String, failures: String? = nil
    ) {
        var metadata: Logger.Metadata = [
            "address": "\(configuration.clientAddress?.description ?? "-")",
            "account": "\(Self.loggable(user))", "mechanism": "\(mechanism)", "reason": "\(reason)",
        ]
        if let failures { metadata["failures"] = "\(failures)" }
        logger.notice("authentication \(outcome)", metadata: metadata)
        Telemetry.authentication(mechanism: mechanism, Telemetry.AuthResult(rawValue: outcome) ?? .failed)
    }

    /// At most 64 characters, control characters as `?`: a name chosen by an attacker cannot forge
    /// log lines.
    public static func loggable(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars.prefix(64) {
            scalars.append(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "?" : scalar)
        }
        return String(scalars)
    }

    /// Gives back the session slot taken at login, if any.
    func endAccountSession() {
        guard let key = heldAccountSession else { return }
        heldAccountSession = nil
        configuration.connectionLimits?.endSession(account: key, address: configuration.clientAddress)
    }
}
