import Defences
import Foundation
import Logging
import MailStore
import TOMLKit

/// Where a listener binds and whether it starts with TLS (IMAPS, RFC 8314) or offers STARTTLS.
public struct ListenerAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case imaps, imap, lmtp, managesieve
        case managesieveTLS = "managesieve-tls"
        case admin
    }
    public var kind: Kind
    public var host: String
    public var port: Int

    public init(kind: Kind, host: String, port: Int) {
        self.kind = kind
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all addresses). Returns nil for `off`.
    public static func parse(_ text: String, kind: Kind) throws -> ListenerAddress? {
        let value = text.trimmingCharacters(in: .whitespaces)
        if value.lowercased() == "off" { return nil }
        var host: Substring
        var portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { throw bad(value, kind) }
            host = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            guard rest.hasPrefix(":") else { throw bad(value, kind) }
            portText = rest.dropFirst()
        } else {
            guard let colon = value.lastIndex(of: ":") else { throw bad(value, kind) }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
            if host.contains(":") { throw bad(value, kind) }
        }
        if host.isEmpty { host = "0.0.0.0" }
        guard let port = Int(portText), (0...65535).contains(port) else { throw bad(value, kind) }
        return ListenerAddress(kind: kind, host: String(host), port: port)
    }

    private static func bad(_ value: String, _ kind: Kind) -> ServerError {
        .configuration("\(kind.rawValue) '\(value)': expected HOST:PORT (e.g. 127.0.0.1:9993), [::1]:PORT or off")
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Everything `postern serve` needs. Flags win over the TOML file, the file over these defaults.
public struct ServerConfiguration: Sendable {
    public static let defaultIMAPS = ListenerAddress(kind: .imaps, host: "0.0.0.0", port: 993)
    public static let defaultIMAP = ListenerAddress(kind: .imap, host: "0.0.0.0", port: 143)

    public var dataDirectory: URL
    /// Where the mail is: nil for the embedded store in `dataDirectory`, or a `postgresql://` URL
    /// (`PostgresStoreURL`) shared by several nodes. The data folder still holds each node's own files
    /// (TLS material, the LMTP socket, staged messages).
    public var store: String?
    /// A file whose first line is the PostgreSQL password (else `POSTERN_STORE_PASSWORD`, else none).
    public var storePasswordFile: String?
    public var listeners: [ListenerAddress]
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// A second pair, served to clients that cannot take the first (RSA beside ECDSA).
    public var tlsRSACertificatePath: String?
    public var tlsRSAKeyPath: String?
    /// Client certificates that chain to this bundle may log in with AUTHENTICATE EXTERNAL.
    public var tlsClientCAPath: String?
    public var tlsClientIdentity = ClientIdentityRule()
    public var logLevel: Logger.Level
    /// The name in the greeting and the self-signed certificate.
    public var hostName: String
    /// Largest message APPEND accepts (RFC 7889 APPENDLIMIT).
    public var maxMessageSize: Int
    /// Inactivity timeouts in seconds (RFC 9051 §5.4: at least 30 minutes once authenticated).
    public var preAuthIdleTimeout: Int64
    public var authenticatedIdleTimeout: Int64
    /// Seconds between `* OK Still here` lines to an idling client (keeps NAT mappings alive).
    public var idleKeepalive: Int64
    /// How failed logins are slowed (`AuthThrottle`).
    public var throttlePolicy = ThrottlePolicy()
    /// Whether the server keeps the full-text search index up to date (`search_index`; the SQLite store).
    /// Without it, searches read every message not indexed yet: answers are the same, only slower. Off
    /// unless asked for: indexing each new message costs about a fifth of the steady benchmark's
    /// throughput (Benchmarks/README.md), more than a default may cost.
    public var searchIndex = false
    /// How many connections and sessions are taken (`ConnectionLimits`).
    public var connectionPolicy = ConnectionPolicy()
    /// The quota of accounts without one of their own (RFC 9208).
    public var defaultQuota = QuotaLimits.unlimited
    /// Accounts (lowercased) that may set quotas with SETQUOTA.
    public var quotaAdmins: Set<String> = []
    /// OAUTHBEARER and XOAUTH2 (off unless configured).
    public var oauth = OAuthSettings()
    /// Mail delivery: the LMTP listeners and the recipient rules (`LMTPSettings`).
    public var lmtp = LMTPSettings()
    /// The `[sieve]` table: filtering at delivery.
    public var sieve = SieveSettings()
    /// Sieve script management: the ManageSieve listeners and the script quotas (`ManageSieveSettings`).
    public var manageSieve = ManageSieveSettings()
    /// The admin listener: metrics and health (`AdminSettings`).
    public var admin = AdminSettings()
    /// IMAP listeners behind a load balancer that sends the PROXY protocol (`ProxySettings`).
    public var proxy = ProxySettings()
    /// Log format and levels (`LogSettings`).
    public var log = LogSettings()

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
        self.listeners = [Self.defaultIMAPS, Self.defaultIMAP]
        self.logLevel = .info
        self.hostName = ServerConfiguration.systemHostName()
        self.maxMessageSize = 64 * 1024 * 1024
        self.preAuthIdleTimeout = 60
        self.authenticatedIdleTimeout = 30 * 60
        self.idleKeepalive = 120
    }

    static func systemHostName() -> String {
        let name = ProcessInfo.processInfo.hostName
        return name.isEmpty ? "localhost" : name
    }

    /// Keys of the TOML file (all optional):
    /// `data_dir`, `store` (a `postgresql://` URL), `store_password_file`, `imaps` and `imap` (a string or an
    /// array of `HOST:PORT`/`off`), `tls_cert`, `tls_key`,
    /// `tls_rsa_cert`, `tls_rsa_key`, `tls_client_ca`, `tls_client_identity` (`san-email` or `subject-cn`),
    /// `tls_client_identity_domain`,
    /// `log_level`, `host_name`, `max_message_size`, `idle_timeout_preauth`, `idle_timeout`, `idle_keepalive`,
    /// `auth_throttle_entries` (addresses and account names remembered), `trusted_networks` (never
    /// throttled nor limited per address, e.g. `["10.0.0.0/8", "2001:db8::/32"]`), `max_connections`,
    /// `max_connections_per_address`, `max_sessions_per_account_address`, `search_index`, the quota keys
    /// (`ServerConfiguration+Quota`), the `oauth_*` keys of `OAuthSettings`, the LMTP keys of `LMTPSettings`
    /// and the `[sieve]` table (`SieveSettings`).
    public mutating func apply(tomlFile path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ServerError.configuration("cannot read config file \(path): \(error.localizedDescription)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch {
            throw ServerError.configuration("config file \(path) is not valid TOML: \(error)")
        }
        try apply(table: table, source: path)
    }

    /// Takes the keys of `table` (a parsed file, or the effective values of `ConfigLayers`); `source`
    /// names it in errors.
    mutating func apply(table: TOMLTable, source path: String) throws {
        let known: Set<String> = [
            "data_dir", "imaps", "imap", "tls_cert", "tls_key", "log_level", "host_name", "max_message_size",
            "idle_timeout_preauth", "idle_timeout", "idle_keepalive", "auth_throttle_entries", "trusted_networks",
            "max_connections", "max_connections_per_address", "max_sessions_per_account_address",
            "tls_rsa_cert", "tls_rsa_key", "tls_client_ca", "tls_client_identity", "tls_client_identity_domain",
            "sieve", "store", "store_password_file", "search_index",
        ]
        for key in table.keys
        where !known.contains(key) && !Self.quotaKeys.contains(key) && !OAuthSettings.tomlKeys.contains(key)
            && !LMTPSettings.tomlKeys.contains(key) && !ManageSieveSettings.tomlKeys.contains(key)
            && !AdminSettings.tomlKeys.contains(key) && !LogSettings.tomlKeys.contains(key)
            && !ProxySettings.tomlKeys.contains(key)
        {
            throw ServerError.configuration("config file \(path): unknown key '\(key)'")
        }
        func string(_ key: String) throws -> String? {
            guard let value = table[key] else { return nil }
            guard let s = value.string else { throw ServerError.configuration("config \(key): expected a string") }
            return s
        }
        func integer(_ key: String) throws -> Int? {
            guard let value = table[key] else { return nil }
            guard let i = value.int else { throw ServerError.configuration("config \(key): expected an integer") }
            return i
        }
        func addresses(_ key: String, _ kind: ListenerAddress.Kind) throws -> [ListenerAddress]? {
            guard let value = table[key] else { return nil }
            var texts: [String] = []
            if let s = value.string {
                texts = [s]
            } else if let array = value.array {
                for item in array {
                    guard let s = item.string else {
                        throw ServerError.configuration("config \(key): expected strings like \"0.0.0.0:993\"")
                    }
                    texts.append(s)
                }
            } else {
                throw ServerError.configuration("config \(key): expected a string or an array of strings")
            }
            return try texts.compactMap { try ListenerAddress.parse($0, kind: kind) }
        }
        if let dir = try string("data_dir") { dataDirectory = URL(fileURLWithPath: dir) }
        if let v = try string("store") { store = v }
        if let v = try string("store_password_file") { storePasswordFile = v }
        try replaceListeners(.imaps, with: addresses("imaps", .imaps))
        try replaceListeners(.imap, with: addresses("imap", .imap))
        if let v = try string("tls_cert") { tlsCertificatePath = v }
        if let v = try string("tls_key") { tlsKeyPath = v }
        if let v = try string("tls_rsa_cert") { tlsRSACertificatePath = v }
        if let v = try string("tls_rsa_key") { tlsRSAKeyPath = v }
        if let v = try string("tls_client_ca") { tlsClientCAPath = v }
        if let v = try string("tls_client_identity") { tlsClientIdentity.source = try Self.parseIdentitySource(v) }
        if let v = try string("tls_client_identity_domain") { tlsClientIdentity.domain = v.isEmpty ? nil : v }
        if let v = try string("log_level") {
            logLevel = try Self.parseLogLevel(v)
            log.level = logLevel
        }
        if let v = try string("host_name") { hostName = v }
        if let value = table["search_index"] {
            guard let v = value.bool else {
                throw ServerError.configuration("config search_index: expected true or false")
            }
            searchIndex = v
        }
        if let v = try integer("max_message_size") {
            guard v > 0 else { throw ServerError.configuration("config max_message_size must be positive") }
            maxMessageSize = v
        }
        if let v = try integer("idle_timeout_preauth") { preAuthIdleTimeout = Int64(max(v, 10)) }
        if let v = try integer("idle_timeout") { authenticatedIdleTimeout = Int64(max(v, 30 * 60)) }
        if let v = try integer("auth_throttle_entries") {
            guard (1...10_000_000).contains(v) else {
                throw ServerError.configuration("config auth_throttle_entries must be between 1 and 10000000")
            }
            throttlePolicy.maxEntries = v
        }
        if let value = table["trusted_networks"] {
            guard let array = value.array else {
                throw ServerError.configuration("config trusted_networks: expected an array of networks")
            }
            let networks = try array.map { item in
                guard let text = item.string, let network = ClientNetwork(text) else {
                    throw ServerError.configuration(
                        "config trusted_networks: '\(item.string ?? "\(item)")' is not a network like 10.0.0.0/8")
                }
                return network
            }
            throttlePolicy.allowList = networks
            connectionPolicy.allowList = networks
        }
        func limit(_ key: String, _ apply: (inout ConnectionPolicy, Int) -> Void) throws {
            guard let v = try integer(key) else { return }
            guard (1...1_000_000).contains(v) else {
                throw ServerError.configuration("config \(key) must be between 1 and 1000000")
            }
            apply(&connectionPolicy, v)
        }
        try limit("max_connections") { $0.maxConnections = $1 }
        try limit("max_connections_per_address") { $0.maxConnectionsPerAddress = $1 }
        try limit("max_sessions_per_account_address") { $0.maxSessionsPerAccountAndAddress = $1 }
        try applyQuota(table)
        if let v = try integer("idle_keepalive") {
            guard v >= 1 else { throw ServerError.configuration("config idle_keepalive must be at least 1 second") }
            idleKeepalive = Int64(v)
        }
        try oauth.apply(string)
        try lmtp.apply(table, listeners: { key in try addresses(key, .lmtp) })
        if let value = table["sieve"] {
            guard let sieveTable = value.table else {
                throw ServerError.configuration("config sieve: expected a table")
            }
            for key in sieveTable.keys where !SieveSettings.tomlKeys.contains(key) {
                throw ServerError.configuration("config file \(path): unknown key '\(key)' in [sieve]")
            }
            try sieve.apply(sieveTable)
        }
        try manageSieve.apply(table)
        try admin.apply(table)
        try proxy.apply(table)
        try log.apply(table, path: path)
    }

    /// Replaces every listener of one kind (nil leaves them as they are).
    public mutating func replaceListeners(_ kind: ListenerAddress.Kind, with addresses: [ListenerAddress]?) {
        guard let addresses else { return }
        listeners = listeners.filter { $0.kind != kind } + addresses
    }

    public static func parseIdentitySource(_ text: String) throws -> ClientIdentityRule.Source {
        guard let source = ClientIdentityRule.Source(rawValue: text.lowercased()) else {
            throw ServerError.configuration("unknown client identity '\(text)': use san-email or subject-cn")
        }
        return source
    }

    public static func parseLogLevel(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ServerError.configuration(
                "unknown log level '\(text)': use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}
