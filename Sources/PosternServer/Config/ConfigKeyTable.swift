/// Every configuration key, documented once: `postern config keys` prints this table, the file, the
/// environment and the flags are read through it, and the README points here.
public enum ConfigKeys {
    /// Listener keys' defaults, as `postern serve` binds them without configuration.
    static let listenerHelp = "HOST:PORT, [IPv6]:PORT or off; a string or an array"

    public static let all: [ConfigKeySpec] = places + logs + sessions

    private static let places: [ConfigKeySpec] = [
        // Where things are.
        .init("data_dir", .path, "./postern-data", "The data folder: the store, TLS material, the LMTP socket."),
        .init("store", .string, "(the data folder)", "A postgresql://USER@HOST[:PORT]/DATABASE URL.", secret: true),
        .init("store_password_file", .path, "", "A file whose first line is the PostgreSQL password."),
        // Listeners.
        .init("imaps", .listeners, "0.0.0.0:993", "IMAPS (implicit TLS) listeners: \(listenerHelp)."),
        .init("imap", .listeners, "0.0.0.0:143", "IMAP with STARTTLS listeners: \(listenerHelp)."),
        .init("lmtp", .listeners, "off", "LMTP TCP listeners for an MTA: \(listenerHelp)."),
        .init("lmtp_socket", .path, "DATA/lmtp.sock", "The LMTP Unix socket, or off."),
        .init("lmtp_socket_group", .string, "", "The group that may connect to the LMTP socket (the MTA's)."),
        .init("lmtp_allow", .networks, "[]", "Networks whose MTAs may use a non-loopback LMTP listener."),
        .init("managesieve", .listeners, "127.0.0.1:4190", "ManageSieve (STARTTLS) listeners; \"\" or off: none."),
        .init("managesieve_tls", .listeners, "off", "ManageSieve listeners with implicit TLS."),
        .init("admin", .listener, "off", "The admin listener (/metrics, /health/live, /health/ready)."),
        .init("admin_allow", .networks, "[]", "Networks that may use a non-loopback admin listener."),
        .init("admin_token_file", .path, "", "The admin API's bearer token (first line); unset: the API is off."),
        .init("proxy_protocol_imaps", .strings, "[]", "IMAPS listeners that expect a PROXY v2 header."),
        .init("proxy_protocol_imap", .strings, "[]", "IMAP listeners that expect a PROXY v2 header."),
        .init("proxy_trusted", .networks, "[]", "The load balancers that may send PROXY headers."),
        // TLS.
        .init("tls_cert", .path, "DATA/tls (self-signed)", "Certificate chain (PEM); re-read on SIGHUP and change."),
        .init("tls_key", .path, "DATA/tls (self-signed)", "Private key (PEM) of tls_cert."),
        .init("tls_rsa_cert", .path, "DATA/tls (self-signed)", "A second chain, RSA, for clients that need it."),
        .init("tls_rsa_key", .path, "DATA/tls (self-signed)", "Private key (PEM) of tls_rsa_cert."),
        .init("tls_client_ca", .path, "", "CA bundle: client certificates that may AUTHENTICATE EXTERNAL."),
        .init(
            "tls_client_identity", .choice(["san-email", "subject-cn"]), "san-email",
            "How a client certificate names its account."),
        .init("tls_client_identity_domain", .string, "", "Only names in this domain map to an account."),
    ]

    private static let logs: [ConfigKeySpec] =
        [
            .init("log_level", .choice(levels), "info", "The default log level.", reloadable: true),
            .init("log_format", .choice(["human", "json"]), "human", "Log lines as text or as JSON objects."),
        ]
        + LogSettings.subsystems.map {
            ConfigKeySpec(
                "log.levels.\($0)", .choice(levels), "log_level", "The log level of the \($0) subsystem.",
                reloadable: true)
        }

    private static let sessions: [ConfigKeySpec] = [
        // Sessions and limits.
        .init("host_name", .string, "(the system's)", "The name in the greeting and the self-signed certificate."),
        .init(
            "max_message_size", .integer(1...Int.max), "67108864", "Largest message APPEND and LMTP take (bytes)."),
        .init("idle_timeout_preauth", .integer(0...Int.max), "60", "Seconds before login (at least 10)."),
        .init("idle_timeout", .integer(0...Int.max), "1800", "Seconds idle once logged in (at least 1800)."),
        .init("idle_keepalive", .integer(1...Int.max), "120", "Seconds between IDLE keepalive lines."),
        .init(
            "max_connections", .integer(1...1_000_000), "20000", "Connections open at once, all listeners.",
            reloadable: true),
        .init(
            "max_connections_per_address", .integer(1...1_000_000), "1000", "Connections from one address.",
            reloadable: true),
        .init(
            "max_sessions_per_account_address", .integer(1...1_000_000), "10",
            "Logged-in sessions of one account from one address.", reloadable: true),
        .init(
            "auth_throttle_entries", .integer(1...10_000_000), "65536",
            "Addresses and account names the login throttle remembers."),
        .init("trusted_networks", .networks, "[]", "Networks never throttled nor limited per address."),
        .init("search_index", .bool, "false", "Keep the full-text search index up to date."),
        // Quotas.
        .init("default_quota_storage", .size, "unlimited", "Storage quota of accounts without their own."),
        .init("default_quota_messages", .integer(0...Int.max), "unlimited", "Message-count quota, likewise."),
        .init("quota_admins", .strings, "[]", "Accounts that may use SETQUOTA."),
        // OAuth.
        .init("oauth_jwks_file", .path, "", "JWKS file of the keys that sign OAuth tokens (re-read on change)."),
        .init("oauth_issuer", .string, "", "The issuer (iss) a token must name."),
        .init("oauth_audience", .string, "", "An audience (aud) a token must name."),
        .init("oauth_account_claim", .string, "email", "The token claim naming the account."),
        .init("oauth_scope", .string, "", "Scopes named to a client whose token was refused."),
        // Delivery.
        .init("local_domains", .strings, "[]", "Domains delivered here; empty: every domain."),
        .init("recipient_delimiter", .string, "+", "Splits user+detail@; \"\" for none."),
        .init("aliases", .table, "", "[aliases] alias = \"account\" or [\"account\", ...] (file only)."),
        .init("sieve_max_script_size", .integer(1...(1 << 20)), "65536", "Largest Sieve script (octets)."),
        .init("sieve_max_scripts", .integer(1...10_000), "25", "Sieve scripts per account."),
        .init("sieve.relay", .string, "", "smtp://HOST[:PORT] for redirects and vacation replies."),
        .init("sieve.before", .stringOrStrings, "[]", "Global Sieve scripts run before each account's."),
        .init("sieve.after", .stringOrStrings, "[]", "Global Sieve scripts run after each account's."),
        .init("sieve.global_dir", .path, "", "Where include :global reads NAME.sieve."),
        .init("sieve.spamtest_header", .string, "", "The header spamtest reads (e.g. X-Spam-Score)."),
        .init("sieve.spamtest_type", .choice(["score", "strlen", "text"]), "score", "How spamtest reads it."),
        .init("sieve.spamtest_max", .number, "10", "The spamtest value that means certainly spam."),
        .init("sieve.virustest_header", .string, "", "The header virustest reads."),
        .init("sieve.virustest_type", .choice(["score", "strlen", "text"]), "score", "How virustest reads it."),
        .init("sieve.virustest_max", .number, "10", "The virustest value that means certainly a virus."),
        // Operations.
        .init(
            "health_certificate_days", .integer(0...3650), "14",
            "Readiness fails when a certificate expires within this many days."),
    ]

    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The spec of `name`, if it is a key.
    public static func spec(_ name: String) -> ConfigKeySpec? {
        byName[name]
    }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Tables of the file whose keys are listed one by one (`[sieve]`, `[log.levels]`), as opposed to
    /// `aliases`, which is a key holding a free table.
    static let tables: Set<String> = ["sieve", "log", "log.levels"]
}
