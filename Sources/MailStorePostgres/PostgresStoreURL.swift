import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL store is, as an administrator writes it:
///
///     postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=MODE][&sslrootcert=FILE][&host=SOCKET_DIR][&pool=N]
///         [&schema=NAME]
///
/// (also `postgres://`). USER and DATABASE are required; PORT defaults to 5432. `sslmode` is
/// `disable`, `prefer` (the default: TLS when the server offers it, its certificate not checked),
/// `require` or `verify-full` (TLS, refused unless the certificate chains to a trusted root and names
/// HOST) or `verify-ca` (TLS with the chain checked but not the name). Unlike libpq, `require` checks
/// the certificate: an encrypted connection to a server nobody verified protects little. The trusted
/// roots are the system's, or the PEM certificates in `sslrootcert` (a private CA, or the server's own
/// self-signed certificate), read when the URL is parsed. A `host` parameter that starts with
/// "/" names the directory of the server's Unix socket (as libpq reads it); HOST may then be empty.
/// `pool` is the most connections one node opens (default `defaultPoolSize`). `schema` keeps the
/// store's tables in a schema of that name (created when missing; default: the user's search path), so
/// that several stores can share one database (tests give each store its own). A password in the URL
/// is refused: it would show in process listings and logs; pass it separately.
public struct PostgresStoreURL: Sendable, Equatable {
    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var socketDirectory: String?
    public var tlsMode: TLSMode
    /// The PEM file of trusted roots (`sslrootcert`); nil: the system's.
    public var rootCertificateFile: String?
    public var poolSize: Int
    public var schema: String?

    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Connections per node unless the URL says otherwise.
    public static let defaultPoolSize = 20
    /// The most connections a URL may ask for per node.
    public static let maxPoolSize = 500

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Whether `text` is meant as a PostgreSQL URL (rather than a data directory).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(_ text: String) throws {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw Invalid(description: "not a postgresql:// URL")
        }
        guard components.password == nil else {
            throw Invalid(description: "no password in the URL: use POSTERN_STORE_PASSWORD or store_password_file")
        }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "the URL names no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw Invalid(description: "the URL names no database (postgresql://user@host/database)")
        }
        var tlsMode = TLSMode.prefer
        var rootCertificateFile: String?
        var socketDirectory: String?
        var poolSize = Self.defaultPoolSize
        var schema: String?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw Invalid(description: "sslmode must be disable, prefer, require, verify-ca or verify-full")
                }
                tlsMode = mode
            case "sslrootcert":
                try Self.checkRootCertificates(value)
                rootCertificateFile = value
            case "host":
                guard value.hasPrefix("/") else { throw Invalid(description: "host= must be a socket directory") }
                socketDirectory = value
            case "pool":
                guard let size = Int(value), (1...Self.maxPoolSize).contains(size) else {
                    throw Invalid(description: "pool must be 1 to \(Self.maxPoolSize)")
                }
                poolSize = size
            case "schema":
                guard Self.isIdentifier(value) else {
                    throw Invalid(description: "schema must be lowercase letters, digits and _ (not first a digit)")
                }
                schema = value
            default:
                throw Invalid(description: "unknown URL parameter \(item.name)")
            }
        }
        let host = components.host ?? ""
        guard !host.isEmpty || socketDirectory != nil else { throw Invalid(description: "the URL names no host") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Invalid(description: "port out of range") }
        if rootCertificateFile != nil, tlsMode == .disable || tlsMode == .prefer {
            throw Invalid(description: "sslrootcert needs sslmode=require, verify-ca or verify-full")
        }
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.socketDirectory = socketDirectory
        self.tlsMode = tlsMode
        self.rootCertificateFile = rootCertificateFile
        self.poolSize = poolSize
        self.schema = schema
    }

    private func verifyingConfiguration(checkName: Bool) -> TLSConfiguration {
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateVerification = checkName ? .fullVerification : .noHostnameVerification
        if let rootCertificateFile { client.trustRoots = .file(rootCertificateFile) }
        return client
    }

    /// Refuses an `sslrootcert` that is not a readable file of PEM certificates, at parse time rather
    /// than at the first connection.
    static func checkRootCertificates(_ path: String) throws {
        guard !path.isEmpty else { throw Invalid(description: "sslrootcert names no file") }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw Invalid(description: "sslrootcert \(path): not a readable file of PEM certificates")
        }
        guard !certificates.isEmpty else { throw Invalid(description: "sslrootcert \(path): no certificate in it") }
    }

    /// A plain SQL identifier (1 to 63 of `a-z`, `0-9`, `_`, not starting with a digit): safe to write
    /// into a statement unquoted.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 63, !("0"..."9").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// The URL without secrets, for logs.
    public var description: String {
        "postgresql://\(user)@\(host)\(socketDirectory.map { " (socket \($0))" } ?? ""):\(port)/\(database)"
    }

    /// The client configuration for this URL with `password` (nil: none, e.g. peer or trust auth).
    public func configuration(password: String?) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch tlsMode {
            case .disable: tls = .disable
            case .prefer:
                var client = TLSConfiguration.makeClientConfiguration()
                client.certificateVerification = .none
                tls = .prefer(client)
            case .require, .verifyFull: tls = .require(verifyingConfiguration(checkName: true))
            case .verifyCA: tls = .require(verifyingConfiguration(checkName: false))
            }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = poolSize
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        return configuration
    }
}
