import Defences
import Logging
import MailStore
import SASL

/// What a session needs from the server: the store, the authenticator and the connection's facts.
public struct SessionConfiguration: Sendable {
    public var store: any MailStore
    public var authenticator: Authenticator
    public var hostName: String
    /// The connection is protected by TLS (IMAPS, or after STARTTLS).
    public var tlsActive: Bool
    /// STARTTLS may be offered (a cleartext listener with a TLS context).
    public var startTLSAvailable: Bool
    /// Largest message APPEND accepts (RFC 7889 APPENDLIMIT).
    public var maxMessageSize: Int
    /// Seconds of inactivity allowed once authenticated (RFC 9051 §5.4: at least 30 minutes).
    public var authenticatedIdleTimeout: Int64
    /// Seconds of inactivity allowed before login (and after UNAUTHENTICATE).
    public var preAuthIdleTimeout: Int64
    /// Delay before answering a failed login, to slow password guessing.
    public var failedLoginDelay: Duration
    /// How often an idling client gets `* OK Still here` (keeps NAT mappings alive).
    public var idleKeepaliveInterval: Duration
    /// Slows password guessing across connections (nil: no throttling, as in most tests).
    public var throttle: AuthThrottle?
    /// The client's address, as the throttle counts it (nil when not an IP connection).
    public var clientAddress: ClientAddress?
    /// Counts logged-in sessions per account and address (nil: no limit).
    public var connectionLimits: ConnectionLimits?
    /// Set when the server refused this connection (a limit): the session greets with `* BYE` and
    /// this text, then closes (RFC 9051 §7.1.5).
    public var refusal: String?
    /// What this connection's TLS handshake established (the served certificate's channel binding,
    /// the client certificate's account name). Read when needed: on STARTTLS it is known only after
    /// the handshake.
    public var tlsPeer: @Sendable () -> TLSPeer
    /// Accounts (lowercased names) that may set quotas with SETQUOTA (RFC 9208 §4.1.3), their own and,
    /// by naming the account as the quota root, anyone's.
    public var quotaAdmins: Set<String> = []
    /// Checks bearer tokens: OAUTHBEARER and XOAUTH2 are offered when set.
    public var bearerVerifier: (any BearerTokenVerifier)?
    /// Told whenever the session logs in, selects or leaves a mailbox, or ends (for the admin API's list
    /// of live sessions).
    public var onActivity: (@Sendable (SessionActivity) -> Void)?
    public var logger: Logger

    public init(
        store: any MailStore, authenticator: Authenticator, hostName: String, tlsActive: Bool,
        startTLSAvailable: Bool, maxMessageSize: Int, authenticatedIdleTimeout: Int64, preAuthIdleTimeout: Int64 = 60,
        idleKeepaliveInterval: Duration = .seconds(120),
        failedLoginDelay: Duration = .milliseconds(500), throttle: AuthThrottle? = nil,
        clientAddress: ClientAddress? = nil, channelBinding: [UInt8]? = nil,
        tlsPeer: (@Sendable () -> TLSPeer)? = nil,
        connectionLimits: ConnectionLimits? = nil, refusal: String? = nil,
        bearerVerifier: (any BearerTokenVerifier)? = nil, logger: Logger
    ) {
        self.store = store
        self.authenticator = authenticator
        self.hostName = hostName
        self.tlsActive = tlsActive
        self.startTLSAvailable = startTLSAvailable
        self.maxMessageSize = maxMessageSize
        self.authenticatedIdleTimeout = authenticatedIdleTimeout
        self.preAuthIdleTimeout = preAuthIdleTimeout
        self.failedLoginDelay = failedLoginDelay
        self.idleKeepaliveInterval = idleKeepaliveInterval
        self.throttle = throttle
        self.clientAddress = clientAddress
        self.tlsPeer = tlsPeer ?? { TLSPeer(channelBinding: channelBinding) }
        self.connectionLimits = connectionLimits
        self.refusal = refusal
        self.bearerVerifier = bearerVerifier
        self.logger = logger
    }
}
