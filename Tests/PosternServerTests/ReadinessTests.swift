import Foundation
import Logging
import MailStoreSQLite
import Testing

@testable import PosternServer

@Suite struct ReadinessTests {
    /// The data folder's self-signed pairs (ECDSA and RSA, valid ten years from now).
    func material() throws -> TLSMaterial {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = try TLSSetup.settings(for: ServerConfiguration(dataDirectory: directory))
        try TLSSetup.makeMissingSelfSigned(settings, hostName: "mail.example.test")
        return try TLSSetup.load(settings)
    }

    @Test func certificateDays() throws {
        let tls = try material()
        let now = Date()
        let ok = Readiness.certificateCheck(tls, minimumDays: 14, now: now)
        #expect(ok.ok && ok.name == "certificate")
        #expect(ok.detail.hasPrefix("valid for 36"))
        // One day past the ten-year lifetime: an encoded validity end may lie a fraction of a second past
        // its generation time plus ten years, so exactly 3650 days is not a reliable failure.
        let soon = Readiness.certificateCheck(tls, minimumDays: 3651, now: now)
        #expect(!soon.ok)
        #expect(soon.detail.contains("minimum 3651"))
        let expired = Readiness.certificateCheck(tls, minimumDays: 0, now: now.addingTimeInterval(11 * 365 * 86_400))
        #expect(!expired.ok)
        #expect(expired.detail == "a served certificate has expired")
    }

    @Test func daysLeft() {
        let now = Date(timeIntervalSince1970: 0)
        #expect(Readiness.daysLeft(until: Date(timeIntervalSince1970: 86_400 * 3), now: now) == 3)
        #expect(Readiness.daysLeft(until: Date(timeIntervalSince1970: -43_200), now: now) == -0.5)
    }

    @Test func listenersAndStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteMailStore(dataDirectory: directory, role: .server, logger: Logger(label: "test"))
        defer { store.close() }
        let readiness = Readiness(store: store, tls: TLSContextHolder(try material()), certificateDays: 14)
        func results() async -> [String: Bool] {
            Dictionary(uniqueKeysWithValues: await readiness.check().map { ($0.name, $0.ok) })
        }
        #expect(await results() == ["listeners": false, "store": true, "certificate": true])
        readiness.markListening()
        #expect(await results() == ["listeners": true, "store": true, "certificate": true])
        readiness.markStopping()
        #expect(await results()["listeners"] == false)
        // The probe leaves nothing behind in the staging folder.
        let left = try FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path)
        #expect(!left.contains { $0.hasSuffix(".probe") })
    }
}
