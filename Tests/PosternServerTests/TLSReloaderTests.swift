import Foundation
import Logging
import Testing

@testable import PosternServer

/// A reload takes new files when they load and keeps the material in use when they do not.
@Suite struct TLSReloaderTests {
    struct Files {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("postern-reload-\(UUID().uuidString)")
        let settings: TLSSettings

        init(clientCA: Bool = false) throws {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var configuration = ServerConfiguration(dataDirectory: dir)
            configuration.tlsCertificatePath = dir.appendingPathComponent("cert.pem").path
            configuration.tlsKeyPath = dir.appendingPathComponent("key.pem").path
            if clientCA { configuration.tlsClientCAPath = dir.appendingPathComponent("ca.pem").path }
            settings = try TLSSetup.settings(for: configuration)
            try write(SelfSignedCertificate.generate(hostName: "one.test"))
            if clientCA { try writeCA(SelfSignedCertificate.generate(hostName: "ca.test")) }
        }

        func write(_ made: SelfSignedCertificate.Generated, key: Bool = true) throws {
            if key { try made.privateKeyPEM.write(to: settings.pairs[0].key, atomically: true, encoding: .utf8) }
            try made.certificatePEM.write(to: settings.pairs[0].certificate, atomically: true, encoding: .utf8)
        }

        func writeCA(_ made: SelfSignedCertificate.Generated) throws {
            try made.certificatePEM.write(to: try #require(settings.clientCA), atomically: true, encoding: .utf8)
        }

        func reloader(_ holder: TLSContextHolder) -> TLSReloader {
            TLSReloader(settings: settings, holder: holder, hangups: nil, logger: Logger(label: "test"))
        }
    }

    @Test func changedFilesAreTakenUnchangedOnesOnlyWhenForced() throws {
        let files = try Files()
        defer { try? FileManager.default.removeItem(at: files.dir) }
        let holder = TLSContextHolder(try TLSSetup.load(files.settings))
        let reloader = files.reloader(holder)
        let first = holder.current.fingerprint
        #expect(!reloader.reload(force: false))
        let second = try SelfSignedCertificate.generate(hostName: "two.test")
        try files.write(second)
        #expect(reloader.reload(force: false))
        #expect(holder.current.fingerprint == second.fingerprint && second.fingerprint != first)
        #expect(!reloader.reload(force: false))
        #expect(reloader.reload(force: true))
    }

    @Test func brokenFilesKeepTheMaterialInUse() throws {
        let files = try Files(clientCA: true)
        defer { try? FileManager.default.removeItem(at: files.dir) }
        let holder = TLSContextHolder(try TLSSetup.load(files.settings))
        let reloader = files.reloader(holder)
        let inUse = holder.current.fingerprint
        #expect(holder.current.clientIdentity != nil)
        try "not PEM\n".write(to: files.settings.pairs[0].certificate, atomically: true, encoding: .utf8)
        #expect(!reloader.reload(force: false))
        // Another certificate beside the old key.
        try files.write(try SelfSignedCertificate.generate(hostName: "three.test"), key: false)
        #expect(!reloader.reload(force: false))
        #expect(throws: ServerError.self) { try TLSSetup.load(files.settings) }
        try files.write(try SelfSignedCertificate.generate(hostName: "four.test"))
        try "no certificate here\n".write(to: try #require(files.settings.clientCA), atomically: true, encoding: .utf8)
        #expect(!reloader.reload(force: false))
        try FileManager.default.removeItem(at: try #require(files.settings.clientCA))
        #expect(!reloader.reload(force: false))
        #expect(holder.current.fingerprint == inUse)
        try files.writeCA(try SelfSignedCertificate.generate(hostName: "ca2.test"))
        #expect(reloader.reload(force: false))
        #expect(holder.current.fingerprint != inUse)
    }
}
