import Defences
import Foundation
import MailStore
import SASL
import Telemetry

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

/// A SASL login's steps between the mechanism and the store, shared by every protocol that
/// authenticates (IMAP AUTHENTICATE, ManageSieve AUTHENTICATE): the throttle's admission once the user
/// is named, the password or SCRAM verifier checked through the authenticator, an EXTERNAL identity's
/// account. What the client is told, and how a failure is counted, is the protocol's.
public struct SASLLogin: Sendable {
    public var authenticator: Authenticator
    /// Slows password guessing across connections (nil: no throttling).
    public var throttle: AuthThrottle?
    public var clientAddress: ClientAddress?
    /// Checks bearer tokens, when the bearer mechanisms are offered.
    public var bearerVerifier: (any BearerTokenVerifier)?

    public init(
        authenticator: Authenticator, throttle: AuthThrottle?, clientAddress: ClientAddress?,
        bearerVerifier: (any BearerTokenVerifier)? = nil
    ) {
        self.authenticator = authenticator
        self.throttle = throttle
        self.clientAddress = clientAddress
        self.bearerVerifier = bearerVerifier
    }

    /// Where an exchange stands once `drive` returns.
    public enum Result: Sendable {
        /// The client must answer `bytes`; the exchange waits for it.
        case challenge(SASLExchange, [UInt8])
        /// The user proved who they are; `finalData` is SASL's additional data with success.
        case authenticated(SASLExchange, AccountID, user: String, finalData: [UInt8]?)
        /// The mechanism ended without success; `.authenticationFailed` is not yet counted unless the
        /// exchange says `failureNoted`.
        case failed(SASLExchange, SASLFailure)
        /// The throttle locked the client's address out (logged, and waited).
        case refused(SASLExchange)
        /// Too many attempts wait already: the connection is to close.
        case dropped
    }

    /// The throttle's decision.
    public enum Admission: Sendable {
        case proceed
        case refused
        case dropped
    }

    /// One line per refused attempt: outcome, user as named, mechanism, reason.
    public typealias Log = (_ outcome: String, _ user: String, _ mechanism: String, _ reason: String) -> Void

    /// Asks the throttle about an attempt on `user`, waiting the delay it imposes.
    public func admit(user: String, mechanism: String, log: Log) async -> Admission {
        guard let throttle else { return .proceed }
        switch throttle.admit(address: clientAddress, account: user) {
        case .proceed(let wait):
            if wait > .zero {
                Telemetry.throttled(.delayed)
                try? await Task.sleep(for: wait)
            }
            return .proceed
        case .refuse(let wait):
            Telemetry.throttled(.refused)
            try? await Task.sleep(for: wait)
            log("refused", user, mechanism, "address locked out")
            return .refused
        case .drop:
            Telemetry.throttled(.dropped)
            log("dropped", user, mechanism, "too many attempts waiting")
            return .dropped
        }
    }

    /// Acts on the mechanism's steps until the client must answer or the exchange ends. `bearer` checks
    /// a bearer token (the protocol's; one without bearer mechanisms never gets this step).
    public func drive(
        _ start: SASLExchange, _ first: SASLStep, bearer: (inout SASLExchange, String) async -> SASLStep, log: Log
    ) async -> Result {
        var exchange = start
        var step = first
        func admitted(_ user: String) async -> Result? {
            switch await admit(user: user, mechanism: exchange.name, log: log) {
            case .proceed: nil
            case .refused: .refused(exchange)
            case .dropped: .dropped
            }
        }
        while true {
            switch step {
            case .challenge(let bytes):
                return .challenge(exchange, bytes)
            case .verifyPassword(let user, let password):
                if let refusal = await admitted(user) { return refusal }
                exchange.user = user
                guard let account = await authenticator.authenticate(name: user, password: password) else {
                    return .failed(exchange, .authenticationFailed)
                }
                return .authenticated(exchange, account, user: user, finalData: nil)
            case .lookUp(let user):
                if let refusal = await admitted(user) { return refusal }
                guard case .scram(var scram) = exchange.mechanism else {
                    return .failed(exchange, .authenticationFailed)
                }
                exchange.user = user
                let (account, credentials) = await authenticator.scramCredentials(name: user)
                exchange.account = account
                var alternatives: [StoredCredentials] = []
                if let account {
                    alternatives = await authenticator.scramAlternatives(account: account, credentials: credentials)
                }
                step = scram.credentials(credentials, alternatives: alternatives)
                exchange.mechanism = .scram(scram)
            case .verifyBearerToken(let user, let token):
                // The throttle's key is the user named, else the one the token claims before it is checked.
                let claimed = user ?? bearerVerifier?.claimedIdentity(of: token) ?? ""
                exchange.user = claimed
                if let refusal = await admitted(claimed) { return refusal }
                step = await bearer(&exchange, token)
            case .authenticatedExternally(let user):
                if let refusal = await admitted(user) { return refusal }
                exchange.user = user
                // Only the account is wanted: an unknown name fails like a wrong password.
                guard let account = await authenticator.account(named: user) else {
                    return .failed(exchange, .authenticationFailed)
                }
                return .authenticated(exchange, account, user: user, finalData: nil)
            case .success(let user, let finalData):
                guard let account = exchange.account else { return .failed(exchange, .authenticationFailed) }
                return .authenticated(exchange, account, user: user, finalData: finalData)
            case .failure(let failure):
                return .failed(exchange, failure)
            }
        }
    }
}
