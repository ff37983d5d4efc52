import ArgumentParser
import Configuration
import PosternServer

/// The flags of `serve` (and `config show`, which shows what they would set): each sets one
/// configuration key (`ConfigKeys`), above the environment and the file.
struct ServeOptions: ParsableArguments {
    @OptionGroup var data: DataDirectoryOption

    @Option(
        help: """
            Keep the mail in PostgreSQL, shared by several nodes: postgresql://USER@HOST[:PORT]/DATABASE \
            (password from POSTERN_STORE_PASSWORD or the config's store_password_file). Default: the data folder.
            """)
    var store: String?

    @Option(
        help: """
            A TOML config file (default: $POSTERN_CONFIG); 'postern config keys' lists its keys.
            """
    )
    var config: String?

    @Option(name: .customLong("imaps"), help: "IMAPS listener HOST:PORT, or 'off' (repeatable; default 0.0.0.0:993).")
    var imaps: [String] = []

    @Option(
        name: .customLong("imap"), help: "IMAP+STARTTLS listener HOST:PORT, or 'off' (repeatable; default 0.0.0.0:143)."
    )
    var imap: [String] = []

    @Option(
        name: .customLong("lmtp"),
        help: "LMTP listener HOST:PORT for an MTA's deliveries, or 'off' (repeatable; default off).")
    var lmtp: [String] = []

    @Option(help: "LMTP Unix socket path, or 'off' (default DATA/lmtp.sock).")
    var lmtpSocket: String?

    @Option(
        name: .customLong("managesieve"),
        help: "ManageSieve (STARTTLS) listener HOST:PORT, or 'off' or '' (repeatable; default 127.0.0.1:4190).")
    var managesieve: [String] = []

    @Option(
        name: .customLong("managesieve-tls"),
        help: "ManageSieve listener with implicit TLS HOST:PORT, or 'off' (repeatable; default off).")
    var managesieveTLS: [String] = []

    @Option(
        help: "TLS certificate chain (PEM). Default: self-signed ECDSA and RSA pairs in DATA/tls, made on first start.")
    var tlsCert: String?

    @Option(help: "TLS private key (PEM), with --tls-cert.")
    var tlsKey: String?

    @Option(help: "A second certificate chain (PEM), RSA, for clients that cannot take --tls-cert's (ECDSA).")
    var tlsRsaCert: String?

    @Option(help: "The private key (PEM) of --tls-rsa-cert.")
    var tlsRsaKey: String?

    @Option(help: "CA bundle (PEM): client certificates that chain to it may log in with AUTHENTICATE EXTERNAL.")
    var tlsClientCa: String?

    @Option(help: "How a client certificate names its account: san-email (default) or subject-cn.")
    var tlsClientIdentity: String?

    @Option(help: "Only names in this domain map to an account, without '@DOMAIN'.")
    var tlsClientIdentityDomain: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?

    @Option(help: "Log lines as 'human' text (default) or 'json' (one object per line).")
    var logFormat: String?

    @Option(
        help: """
            Levels per subsystem, SUBSYSTEM=LEVEL[,...] (server, imap, lmtp, managesieve, store, tls, delivery, \
            oauth, admin), e.g. imap=debug.
            """)
    var logLevels: String?

    @Option(
        name: .customLong("admin"),
        help: "Admin listener HOST:PORT for /metrics and /health/{live,ready}, or 'off' (default off).")
    var admin: String?

    @Option(help: "JWKS file with the keys that sign OAuth tokens: offers OAUTHBEARER and XOAUTH2 (re-read on change).")
    var oauthJwksFile: String?

    @Option(help: "The issuer (iss) an OAuth token must name, with --oauth-jwks-file.")
    var oauthIssuer: String?

    @Option(help: "An audience (aud) an OAuth token must name, with --oauth-jwks-file.")
    var oauthAudience: String?

    @Option(help: "The token claim that names the account (default email; e.g. preferred_username, sub).")
    var oauthAccountClaim: String?

    @Option(help: "OAuth scopes named to a client whose token was refused.")
    var oauthScope: String?

    /// The flags given, by the configuration key each sets (`ConfigKeys`).
    func flagValues() throws -> [String: (ConfigContent, String)] {
        var flags: [String: (ConfigContent, String)] = [:]
        func set(_ key: String, _ value: String?, _ flag: String) {
            if let value { flags[key] = (.string(value), flag) }
        }
        func set(_ key: String, _ values: [String], _ flag: String) {
            if !values.isEmpty { flags[key] = (.stringArray(values), flag) }
        }
        set("data_dir", data.dataDir, "--data-dir")
        set("store", store, "--store")
        set("imaps", imaps, "--imaps")
        set("imap", imap, "--imap")
        set("lmtp", lmtp, "--lmtp")
        set("lmtp_socket", lmtpSocket, "--lmtp-socket")
        set("managesieve", managesieve, "--managesieve")
        set("managesieve_tls", managesieveTLS, "--managesieve-tls")
        set("tls_cert", tlsCert, "--tls-cert")
        set("tls_key", tlsKey, "--tls-key")
        set("tls_rsa_cert", tlsRsaCert, "--tls-rsa-cert")
        set("tls_rsa_key", tlsRsaKey, "--tls-rsa-key")
        set("tls_client_ca", tlsClientCa, "--tls-client-ca")
        set("tls_client_identity", tlsClientIdentity, "--tls-client-identity")
        set("tls_client_identity_domain", tlsClientIdentityDomain, "--tls-client-identity-domain")
        set("log_level", logLevel, "--log-level")
        set("log_format", logFormat, "--log-format")
        set("admin", admin, "--admin")
        set("oauth_jwks_file", oauthJwksFile, "--oauth-jwks-file")
        set("oauth_issuer", oauthIssuer, "--oauth-issuer")
        set("oauth_audience", oauthAudience, "--oauth-audience")
        set("oauth_account_claim", oauthAccountClaim, "--oauth-account-claim")
        set("oauth_scope", oauthScope, "--oauth-scope")
        if let logLevels {
            do {
                for (subsystem, level) in try ServeFlags.levels(logLevels) {
                    set("log.levels.\(subsystem)", level, "--log-levels")
                }
            } catch {
                throw CommandFailure(message: "\(error)")
            }
        }
        return flags
    }
}
