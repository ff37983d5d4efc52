import Defences
import Foundation
import IMAPWire
import Logging
import MailStore
import NIOCore
import SASL

/// An AUTHENTICATE in progress: the mechanism's state between the server's challenge and the client's
/// answer. Shared by the IMAP and ManageSieve sessions.
public struct SASLExchange: Sendable {
    public enum Mechanism: Sendable {
        case plain
        case login(LoginMechanism)
        case scram(SCRAMServer)
        case bearer(BearerMechanism)
        case external(ExternalMechanism)
    }

    public var tag: String
    public var name: String
    public var mechanism: Mechanism
    /// SCRAM: the user named in client-first, and the account found for it (nil for an unknown user,
    /// who then cannot succeed).
    public var user: String?
    public var account: AccountID?
    /// Authenticated; waiting for the empty answer to the additional data with success.
    public var succeeded: String?
    /// The failure was counted and logged already (a refused bearer token, before its error challenge).
    public var failureNoted = false

    public init(tag: String, name: String, mechanism: Mechanism) {
        self.tag = tag
        self.name = name
        self.mechanism = mechanism
    }

    /// The exchange for the mechanism a client named (upper case), among those offered on a
    /// connection whose TLS established `peer`; nil for one not offered. `bearer` makes the bearer
    /// mechanisms' exchanges (nil when none is configured).
    public static func mechanism(
        named name: String, peer: TLSPeer, bearer: (String) -> BearerMechanism?
    ) -> Mechanism? {
        switch name {
        case "PLAIN": .plain
        case "LOGIN": .login(LoginMechanism())
        case SCRAMServer.name: .scram(SCRAMServer(plus: false, channelBinding: peer.channelBinding))
        case SCRAMServer.plusName where peer.channelBinding != nil:
            .scram(SCRAMServer(plus: true, channelBinding: peer.channelBinding))
        case ExternalMechanism.name where peer.clientIdentity != nil:
            .external(ExternalMechanism(identity: peer.clientIdentity))
        default: bearer(name).map { .bearer($0) }
        }
    }

    /// The mechanisms offered on a connection whose TLS established `peer`, strongest first.
    public static func offered(peer: TLSPeer, bearer: [String]) -> [String] {
        (peer.clientIdentity != nil ? [ExternalMechanism.name] : [])
            + (peer.channelBinding != nil ? [SCRAMServer.plusName] : []) + [SCRAMServer.name, "PLAIN", "LOGIN"]
            + bearer
    }

    /// The mechanism's first step, with the initial response (RFC 4959) if the client sent one.
    public mutating func start(_ initial: [UInt8]?) -> SASLStep {
        switch mechanism {
        case .plain: return initial.map(PlainMechanism.parse) ?? .challenge([])
        case .login(var login):
            defer { mechanism = .login(login) }
            return login.start(initialResponse: initial)
        case .scram(var scram):
            defer { mechanism = .scram(scram) }
            return scram.start(initialResponse: initial)
        case .bearer(var bearer):
            defer { mechanism = .bearer(bearer) }
            return bearer.start(initialResponse: initial)
        case .external(let external): return external.start(initialResponse: initial)
        }
    }

    /// The mechanism's step for the client's answer to a challenge.
    public mutating func respond(_ bytes: [UInt8]) -> SASLStep {
        switch mechanism {
        case .plain: return PlainMechanism.parse(bytes)
        case .login(var login):
            defer { mechanism = .login(login) }
            return login.respond(bytes)
        case .scram(var scram):
            defer { mechanism = .scram(scram) }
            return scram.respond(bytes)
        case .bearer(var bearer):
            defer { mechanism = .bearer(bearer) }
            return bearer.respond(bytes)
        case .external(let external): return external.respond(bytes)
        }
    }
}

/// LOGIN's completion and AUTHENTICATE (RFC 9051 §6.2.2, §6.2.3) with SASL-IR (RFC 4959): PLAIN
/// (RFC 4616), LOGIN, SCRAM-SHA-256 and, with TLS channel binding, SCRAM-SHA-256-PLUS (RFC 5802,
/// RFC 7677, RFC 5929), EXTERNAL (RFC 4422 Appendix A) on a connection whose client presented a
/// verified certificate, and with a token verifier OAUTHBEARER (RFC 7628) and XOAUTH2. Every attempt
/// goes through the throttle once its user name is known.
extension IMAPSession {
    /// The mechanisms offered (once TLS is active), strongest first.
    var saslMechanisms: [String] {
        SASLExchange.offered(
            peer: configuration.tlsPeer(),
            bearer: configuration.bearerVerifier != nil ? bearerMechanisms.map(\.name) : [])
    }

    func authenticate(_ tag: String, mechanism: String, initialResponse: String?) async -> ResumeDirective {
        if refusedBeforeLogin(tag) { return .next }
        let name = mechanism.uppercased()
        guard
            let chosen = SASLExchange.mechanism(
                named: name, peer: configuration.tlsPeer(), bearer: { self.bearerMechanism(named: $0) })
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
            return loginSucceeded(exchange.tag, account: account, user: user)
        }
        guard let bytes = Self.base64(text) else {
            tagged(exchange.tag, .bad, text: "Invalid base64 in AUTHENTICATE response")
            return afterNotedFailure(exchange)
        }
        let step = exchange.respond(bytes)
        return await drive(exchange, step)
    }

    /// Acts on a mechanism's step until the client must answer or the exchange ends.
    private func drive(_ start: SASLExchange, _ first: SASLStep) async -> ResumeDirective {
        var exchange = start
        var step = first
        while true {
            switch step {
            case .challenge(let bytes):
                send(.continuation(.text(Data(bytes).base64EncodedString())))
                pendingAuthentication = exchange
                return .rawLine
            case .verifyPassword(let user, let password):
                return await completeLogin(exchange.tag, user: user, password: password, mechanism: exchange.name)
            case .lookUp(let user):
                if let refusal = await admit(exchange.tag, user: user, mechanism: exchange.name) { return refusal }
                guard case .scram(var scram) = exchange.mechanism else { return .next }
                exchange.user = user
                let (account, credentials) = await configuration.authenticator.scramCredentials(name: user)
                exchange.account = account
                var alternatives: [StoredCredentials] = []
                if let account {
                    alternatives = await configuration.authenticator.scramAlternatives(
                        account: account, credentials: credentials)
                }
                step = scram.credentials(credentials, alternatives: alternatives)
                exchange.mechanism = .scram(scram)
            case .verifyBearerToken(let user, let token):
                // The throttle's key is the user named, else the one the token claims before it is checked.
                let claimed = user ?? configuration.bearerVerifier?.claimedIdentity(of: token) ?? ""
                exchange.user = claimed
                if let refusal = await admit(exchange.tag, user: claimed, mechanism: exchange.name) { return refusal }
                step = await checkBearerToken(&exchange, token)
            case .authenticatedExternally(let user):
                if let refusal = await admit(exchange.tag, user: user, mechanism: exchange.name) { return refusal }
                exchange.user = user
                // Only the account is wanted: an unknown name fails like a wrong password.
                guard let account = await configuration.authenticator.account(named: user) else {
                    step = .failure(.authenticationFailed)
                    continue
                }
                return loginSucceeded(exchange.tag, account: account, user: user)
            case .success(let user, let finalData):
                guard let account = exchange.account else {
                    step = .failure(.authenticationFailed)
                    continue
                }
                guard let finalData else { return loginSucceeded(exchange.tag, account: account, user: user) }
                exchange.succeeded = user
                send(.continuation(.text(Data(finalData).base64EncodedString())))
                pendingAuthentication = exchange
                return .rawLine
            case .failure(let failure):
                return await saslFailed(exchange, failure)
            }
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
        return loginSucceeded(tag, account: account, user: user)
    }

    /// The throttle's decision for an attempt on `user`: nil to go on (after any wait it imposed), or
    /// the directive that ends the attempt (refused with `NO [UNAVAILABLE]`, or dropped).
    private func admit(_ tag: String, user: String, mechanism: String) async -> ResumeDirective? {
        guard let throttle = configuration.throttle else { return nil }
        switch throttle.admit(address: configuration.clientAddress, account: user) {
        case .proceed(let wait):
            if wait > .zero { try? await Task.sleep(for: wait) }
            return nil
        case .refuse(let wait):
            try? await Task.sleep(for: wait)
            logAuthentication("refused", user: user, mechanism: mechanism, reason: "address locked out")
            tagged(tag, .no, code: .unavailable, text: "Too many failed logins from your address, try again later")
            return .next
        case .drop:
            logAuthentication("dropped", user: user, mechanism: mechanism, reason: "too many attempts waiting")
            return .close
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

    private func loginSucceeded(_ tag: String, account: AccountID, user: String) -> ResumeDirective {
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
