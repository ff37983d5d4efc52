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
    @Test func selfSignedCertificateLoadsIntoTLS() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("postern-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (certificate, key) = TLSSetup.defaultPaths(dataDirectory: dir)
        let first = try TLSSetup.load(certificatePath: nil, keyPath: nil, dataDirectory: dir, hostName: "mail.test")
        #expect(first.dataFolderCertificate == certificate)
        #expect(FileManager.default.fileExists(atPath: certificate.path))
        #expect(first.fingerprint.split(separator: ":").count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: key.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A second start reuses the same certificate.
        let second = try TLSSetup.load(certificatePath: nil, keyPath: nil, dataDirectory: dir, hostName: "mail.test")
        #expect(second.fingerprint == first.fingerprint)
        #expect(second.dataFolderCertificate == certificate)
        // With a certificate of its own the data folder's is not in use.
        let own = try TLSSetup.load(
            certificatePath: certificate.path, keyPath: key.path, dataDirectory: dir, hostName: "mail.test")
        #expect(own.dataFolderCertificate == nil)
        #expect(own.fingerprint == first.fingerprint)
    }

    /// Either path alone is refused as such (not by failing to read a file).
    @Test(arguments: [("/x.pem", nil), (nil, "/x.pem")] as [(String?, String?)])
    func certificateAndKeyGoTogether(certificate: String?, key: String?) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("postern-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: ServerError.self) {
            try TLSSetup.load(certificatePath: certificate, keyPath: key, dataDirectory: dir, hostName: "h")
        }
        #expect(error?.description == "--tls-cert and --tls-key go together: give both or neither")
    }
}
