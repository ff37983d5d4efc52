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

    @Test(arguments: [
        "mysql://mail@localhost/postern",
        "postgresql://mail:secret@localhost/postern",
        "postgresql://localhost/postern",
        "postgresql://mail@localhost",
        "postgresql://mail@localhost/",
        "postgresql://mail@localhost/a/b",
        "postgresql://mail@/postern",
        "postgresql://mail@localhost:0/postern",
        "postgresql://mail@localhost/postern?sslmode=verify-full",
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
