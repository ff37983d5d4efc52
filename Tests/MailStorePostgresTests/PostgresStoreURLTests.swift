import Foundation
import MailStorePostgres
import Testing

/// `postgresql://` URLs as `postern serve --store` and the config's `store` take them.
@Suite struct PostgresStoreURLTests {
    @Test func fullURL() throws {
        let url = try PostgresStoreURL(
            "postgresql://mail@db.example.org:6543/postern?sslmode=require&pool=8&schema=node_a")
        #expect(url.user == "mail" && url.host == "db.example.org" && url.port == 6543)
        #expect(url.database == "postern" && url.tlsMode == .require && url.poolSize == 8 && url.schema == "node_a")
        #expect(url.socketDirectory == nil)
        #expect(!url.description.contains("?"))
    }

    @Test func defaults() throws {
        let url = try PostgresStoreURL("postgres://mail@localhost/postern")
        #expect(url.port == 5432 && url.tlsMode == .prefer && url.poolSize == PostgresStoreURL.defaultPoolSize)
        #expect(url.schema == nil)
        #expect(url.configuration(password: nil).options.maximumConnections == PostgresStoreURL.defaultPoolSize)
    }

    @Test func unixSocket() throws {
        let url = try PostgresStoreURL("postgresql://mail@/postern?host=/run/postgresql")
        #expect(url.socketDirectory == "/run/postgresql")
        #expect(url.configuration(password: nil).unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
    }

    @Test func schemaGoesToTheSearchPath() throws {
        let url = try PostgresStoreURL("postgresql://mail@localhost/postern?schema=t_1")
        let parameters = url.configuration(password: "x").options.additionalStartupParameters
        #expect(parameters.count == 1 && parameters.first?.0 == "search_path" && parameters.first?.1 == "t_1")
    }

    @Test func verificationModes() throws {
        #expect(try PostgresStoreURL("postgresql://m@h/d?sslmode=verify-full").tlsMode == .verifyFull)
        #expect(try PostgresStoreURL("postgresql://m@h/d?sslmode=verify-ca").tlsMode == .verifyCA)
        #expect(try PostgresStoreURL("postgresql://m@h/d?sslmode=disable").tlsMode == .disable)
    }

    /// A self-signed certificate, only ever parsed (its key was thrown away).
    static let rootPEM = """
        -----BEGIN CERTIFICATE-----
        MIIBhjCCASugAwIBAgIUA5qydmZ+EyqxZ1iWah17gVCiuMgwCgYIKoZIzj0EAwIw
        FzEVMBMGA1UEAwwMcG9zdGVybi10ZXN0MCAXDTI2MTIwNjE5Mjg0NFoYDzIxMjYx
        MTEyMTkyODQ0WjAXMRUwEwYDVQQDDAxwb3N0ZXJuLXRlc3QwWTATBgcqhkjOPQIB
        BggqhkjOPQMBBwNCAARJSWcu3VwOcxhWqi3duDn3cpRXfhtqyRfOOyoqFDAlFTao
        epk0IhoB7q75RgPx00oRJ84BfIMcRGhYdKSyfF9Fo1MwUTAdBgNVHQ4EFgQUzNSF
        0IkdPsB0ov3P3YtwXBr84EIwHwYDVR0jBBgwFoAUzNSF0IkdPsB0ov3P3YtwXBr8
        4EIwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA2IdoqxKaih29
        mRyChDqjwF+xSabraKRVpn+JN8D4WJUCIQDbDncmlmEpPC5sGfY4Dj4sAtim2sk3
        s+B2tXfqYtrpNg==
        -----END CERTIFICATE-----
        """

    @Test func rootCertificatesAreReadWhenParsed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-url-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("root.pem").path
        try Data(Self.rootPEM.utf8).write(to: URL(fileURLWithPath: good))
        let url = try PostgresStoreURL("postgresql://m@h/d?sslmode=verify-ca&sslrootcert=\(good)")
        #expect(url.rootCertificateFile == good && url.tlsMode == .verifyCA)

        let garbage = folder.appendingPathComponent("garbage.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let empty = folder.appendingPathComponent("empty.pem").path
        try Data().write(to: URL(fileURLWithPath: empty))
        for (path, mode) in [(garbage, "require"), (empty, "require"), (folder.path, "require"), (good, "prefer")] {
            let error = #expect(throws: PostgresStoreURL.Invalid.self) {
                try PostgresStoreURL("postgresql://m@h/d?sslmode=\(mode)&sslrootcert=\(path)")
            }
            #expect(error?.description.contains("sslrootcert") == true)
        }
    }

    @Test(arguments: [
        "mysql://mail@localhost/postern",
        "postgresql://mail:secret@localhost/postern",
        "postgresql://localhost/postern",
        "postgresql://mail@localhost",
        "postgresql://mail@localhost/",
        "postgresql://mail@localhost/a/b",
        "postgresql://mail@/postern",
        "postgresql://mail@localhost:0/postern",
        "postgresql://mail@localhost/postern?sslmode=allow",
        "postgresql://mail@localhost/postern?sslmode=require&sslrootcert=",
        "postgresql://mail@localhost/postern?sslmode=require&sslrootcert=/nonexistent/root.pem",
        "postgresql://mail@localhost/postern?host=relative",
        "postgresql://mail@localhost/postern?pool=0",
        "postgresql://mail@localhost/postern?pool=\(PostgresStoreURL.maxPoolSize + 1)",
        "postgresql://mail@localhost/postern?pool=many",
        "postgresql://mail@localhost/postern?schema=Upper",
        "postgresql://mail@localhost/postern?schema=1abc",
        "postgresql://mail@localhost/postern?schema=a;drop",
        "postgresql://mail@localhost/postern?schema=\(String(repeating: "a", count: 64))",
        "postgresql://mail@localhost/postern?colour=blue",
    ])
    func refused(_ text: String) {
        #expect(throws: PostgresStoreURL.Invalid.self) { try PostgresStoreURL(text) }
    }
}
