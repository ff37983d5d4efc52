import Foundation
import NIOCore
import Testing

@testable import PosternServer

@Suite struct ListenerAddressTests {
    @Test(arguments: [
        ("127.0.0.1:9993", "127.0.0.1", 9993),
        (":993", "0.0.0.0", 993),
        ("[::1]:143", "::1", 143),
        ("localhost:0", "localhost", 0),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try #require(try ListenerAddress.parse(text, kind: .imaps))
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test func offDisables() throws {
        #expect(try ListenerAddress.parse("off", kind: .imap) == nil)
        #expect(try ListenerAddress.parse("OFF", kind: .imap) == nil)
    }

    @Test(arguments: ["993", "host:", "host:99999", "::1:993", "[::1]993", "a:b"])
    func rejects(text: String) {
        #expect(throws: ServerError.self) { try ListenerAddress.parse(text, kind: .imaps) }
    }

    @Test func bindErrorsSayHowToFix() {
        let address = ListenerAddress(kind: .imaps, host: "0.0.0.0", port: 993)
        let inUse = IMAPServer.explainBindError(IOError(errnoCode: EADDRINUSE, reason: "bind"), address: address)
        #expect(inUse.contains("already in use") && inUse.contains("--imaps 127.0.0.1:9993"))
        let denied = IMAPServer.explainBindError(IOError(errnoCode: EACCES, reason: "bind"), address: address)
        #expect(denied.contains("permission denied") && denied.contains("--imaps"))
    }
}

@Suite struct ConfigurationFileTests {
    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func fileSetsEverything() throws {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        let path = try write(
            """
            data_dir = "/srv/mail"
            imaps = ["127.0.0.1:9993", "[::1]:9993"]
            imap = "off"
            log_level = "debug"
            host_name = "mail.example.com"
            max_message_size = 1048576
            """)
        try configuration.apply(tomlFile: path)
        #expect(configuration.dataDirectory.path == "/srv/mail")
        #expect(configuration.listeners.map(\.description) == ["127.0.0.1:9993", "[::1]:9993"])
        #expect(configuration.listeners.allSatisfy { $0.kind == .imaps })
        #expect(configuration.logLevel == .debug)
        #expect(configuration.hostName == "mail.example.com")
        #expect(configuration.maxMessageSize == 1_048_576)
    }

    @Test func tlsKeys() throws {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        #expect(configuration.tlsClientIdentity == ClientIdentityRule(source: .sanEmail, domain: nil))
        try configuration.apply(
            tomlFile: try write(
                """
                tls_cert = "/c.pem"
                tls_key = "/k.pem"
                tls_rsa_cert = "/rc.pem"
                tls_rsa_key = "/rk.pem"
                tls_client_ca = "/ca.pem"
                tls_client_identity = "subject-cn"
                tls_client_identity_domain = "example.com"
                """))
        #expect(configuration.tlsRSACertificatePath == "/rc.pem" && configuration.tlsRSAKeyPath == "/rk.pem")
        #expect(configuration.tlsClientCAPath == "/ca.pem")
        #expect(configuration.tlsClientIdentity == ClientIdentityRule(source: .subjectCN, domain: "example.com"))
        let settings = try TLSSetup.settings(for: configuration)
        #expect(settings.pairs.map(\.certificate.path) == ["/c.pem", "/rc.pem"])
        #expect(settings.files.map(\.path) == ["/c.pem", "/k.pem", "/rc.pem", "/rk.pem", "/ca.pem"])
        #expect(throws: ServerError.self) {
            try configuration.apply(tomlFile: try write("tls_client_identity = \"issuer\""))
        }
    }

    @Test func unknownKeysAndBadTypesAreErrors() throws {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        #expect(throws: ServerError.self) { try configuration.apply(tomlFile: try write("imapz = \"x\"")) }
        #expect(throws: ServerError.self) { try configuration.apply(tomlFile: try write("max_message_size = \"big\"")) }
        #expect(throws: ServerError.self) { try configuration.apply(tomlFile: try write("this is not toml")) }
        #expect(throws: ServerError.self) { try configuration.apply(tomlFile: "/nonexistent/postern.toml") }
    }

    @Test func authenticatedIdleTimeoutNeverBelowThirtyMinutes() throws {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        try configuration.apply(tomlFile: try write("idle_timeout = 5"))
        #expect(configuration.authenticatedIdleTimeout == 1800)
    }
}

@Suite struct CertificateTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("postern-tls-\(UUID().uuidString)")
    }

    @Test func selfSignedCertificatesLoadIntoTLS() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = try TLSSetup.settings(for: ServerConfiguration(dataDirectory: dir))
        let pairs = TLSSetup.defaultPairs(dataDirectory: dir)
        #expect(settings.pairs == pairs)
        #expect(settings.selfSignedCertificates == pairs.map(\.certificate))
        try TLSSetup.makeMissingSelfSigned(settings, hostName: "mail.test")
        let first = try TLSSetup.load(settings)
        #expect(first.served.map(\.kind) == [.ecdsa(tls13Scheme: 0x0403), .rsa])
        #expect(first.fingerprint.split(separator: ":").count == 32)
        #expect(first.clientIdentity == nil)
        for pair in pairs {
            #expect(FileManager.default.fileExists(atPath: pair.certificate.path))
            let mode = try FileManager.default.attributesOfItem(atPath: pair.key.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        // A second start reuses the same certificates.
        try TLSSetup.makeMissingSelfSigned(settings, hostName: "mail.test")
        let second = try TLSSetup.load(settings)
        #expect(second.served.map(\.fingerprint) == first.served.map(\.fingerprint))
        // With a certificate of its own the data folder's are not in use.
        var configuration = ServerConfiguration(dataDirectory: dir)
        configuration.tlsCertificatePath = pairs[0].certificate.path
        configuration.tlsKeyPath = pairs[0].key.path
        let own = try TLSSetup.settings(for: configuration)
        #expect(own.selfSignedCertificates.isEmpty)
        #expect(try TLSSetup.load(own).served.map(\.fingerprint) == [first.fingerprint])
    }

    /// A data folder from before the RSA pair gets it on its next start; the ECDSA pair stays.
    @Test func missingRSAPairIsMadeAlone() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = try TLSSetup.settings(for: ServerConfiguration(dataDirectory: dir))
        try TLSSetup.makeMissingSelfSigned(settings, hostName: "mail.test")
        let ecdsa = try Data(contentsOf: settings.pairs[0].certificate)
        try FileManager.default.removeItem(at: settings.pairs[1].key)
        try TLSSetup.makeMissingSelfSigned(settings, hostName: "mail.test")
        #expect(try Data(contentsOf: settings.pairs[0].certificate) == ecdsa)
        #expect(try TLSSetup.load(settings).served.count == 2)
    }

    /// Either path alone is refused as such (not by failing to read a file); so is an RSA pair alone.
    @Test(
        arguments: [
            ("/x.pem", nil, nil, nil, "--tls-cert and --tls-key go together: give both or neither"),
            (nil, "/x.pem", nil, nil, "--tls-cert and --tls-key go together: give both or neither"),
            ("/x", "/y", "/z", nil, "--tls-rsa-cert and --tls-rsa-key go together: give both or neither"),
            (nil, nil, "/z", "/w", "--tls-rsa-cert needs --tls-cert (the data folder's pairs are used together)"),
        ] as [(String?, String?, String?, String?, String)])
    func pairsGoTogether(certificate: String?, key: String?, rsa: String?, rsaKey: String?, message: String) {
        var configuration = ServerConfiguration(dataDirectory: Self.folder())
        configuration.tlsCertificatePath = certificate
        configuration.tlsKeyPath = key
        configuration.tlsRSACertificatePath = rsa
        configuration.tlsRSAKeyPath = rsaKey
        let error = #expect(throws: ServerError.self) { try TLSSetup.settings(for: configuration) }
        #expect(error?.description == message)
    }
}
