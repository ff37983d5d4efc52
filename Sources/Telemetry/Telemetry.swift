import CoreMetrics

/// The server's metrics: every family's name and its fixed label values, in one place.
///
/// Labels only ever take values from these closed sets (listener kinds, command names, mechanisms,
/// outcomes), never a user name or an address, so the number of series is bounded. The handles are
/// made on first use from whatever `MetricsSystem` was bootstrapped by then (the admin listener's
/// Prometheus registry, or nothing: swift-metrics' no-op handlers), and kept: recording is an atomic
/// add or a histogram update, with no lookup in the factory.
public enum Telemetry {
    /// Metric family names (Prometheus style: `postern_` prefix, base units, `_total` for counters).
    public enum Name {
        public static let connections = "postern_connections_total"
        public static let connectionsOpen = "postern_connections_open"
        public static let tlsHandshakes = "postern_tls_handshakes_total"
        public static let imapCommands = "postern_imap_commands_total"
        public static let imapCommandDuration = "postern_imap_command_duration_seconds"
        public static let authAttempts = "postern_auth_attempts_total"
        public static let throttled = "postern_auth_throttled_total"
        public static let idleSessions = "postern_imap_idle_sessions"
        public static let lmtpDeliveries = "postern_lmtp_deliveries_total"
        public static let storeCommitDuration = "postern_store_commit_duration_seconds"
        public static let storeCommitBatchSize = "postern_store_commit_batch_size"
        public static let messageBytesStored = "postern_store_message_bytes_total"
        public static let eventLoopLag = "postern_event_loop_lag_seconds"
        public static let certificateDaysLeft = "postern_tls_certificate_days_left"

        /// Every family, for a dashboard or a test that checks an exposition is complete.
        public static let all = [
            connections, connectionsOpen, tlsHandshakes, imapCommands, imapCommandDuration, authAttempts,
            throttled, idleSessions, lmtpDeliveries, storeCommitDuration, storeCommitBatchSize,
            messageBytesStored, eventLoopLag, certificateDaysLeft,
        ]
    }

    /// The listener a connection came in on.
    public enum Listener: String, CaseIterable, Sendable {
        case imap, imaps, lmtp, managesieve
    }

    /// What happened to a connection: taken, refused over a limit, or ended.
    public enum ConnectionEvent: String, CaseIterable, Sendable {
        case accepted, refused, closed
    }

    /// The TLS version a handshake settled on; `unknown` for a failed one.
    public enum TLSVersionLabel: String, CaseIterable, Sendable {
        case tls10 = "1.0"
        case tls11 = "1.1"
        case tls12 = "1.2"
        case tls13 = "1.3"
        case unknown
    }

    public enum HandshakeResult: String, CaseIterable, Sendable {
        case ok, failed
    }

    /// The tagged status that ended an IMAP command.
    public enum Outcome: String, CaseIterable, Sendable {
        case ok = "OK"
        case no = "NO"
        case bad = "BAD"
    }

    public enum AuthResult: String, CaseIterable, Sendable {
        case success, failed, refused, dropped
    }

    /// How the login throttle answered an attempt it did not let through at once.
    public enum ThrottleDecision: String, CaseIterable, Sendable {
        case delayed, refused, dropped
    }

    public enum DeliveryResult: String, CaseIterable, Sendable {
        case delivered
        case overQuota = "over_quota"
        case tooLarge = "too_large"
        case noSuchUser = "no_such_user"
        case temporaryFailure = "temporary_failure"
        case rejected
    }

    /// The key type of a served certificate.
    public enum CertificateKey: String, CaseIterable, Sendable {
        case ecdsa, rsa, other
    }

    /// SASL mechanisms (and the LOGIN command) as labels; anything else is `other`.
    public static let mechanisms: Set<String> = [
        "LOGIN", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "OAUTHBEARER", "XOAUTH2", "EXTERNAL",
    ]

    public static func mechanismLabel(_ mechanism: String) -> String {
        let upper = mechanism.uppercased()
        return mechanisms.contains(upper) ? upper : "other"
    }
}
