import Defences
import Foundation
import Logging
import Testing

@testable import PosternServer

/// The admin listener's and the logs' configuration keys.
@Suite struct OperationsSettingsTests {
    func configuration(_ text: String) throws -> ServerConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/srv/data"))
        try configuration.apply(tomlFile: url.path)
        return configuration
    }

    func message(_ text: String) -> String? {
        do {
            _ = try configuration(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func adminIsOffByDefault() throws {
        let admin = try configuration("").admin
        #expect(admin.listener == nil)
        #expect(admin.certificateDays == 14)
        #expect(admin.allow.isEmpty)
        try admin.validate()
    }

    @Test func adminKeys() throws {
        let admin = try configuration(
            """
            admin = "127.0.0.1:9100"
            admin_allow = ["10.0.0.0/8"]
            health_certificate_days = 30
            """
        ).admin
        #expect(admin.listener == ListenerAddress(kind: .admin, host: "127.0.0.1", port: 9100))
        #expect(admin.certificateDays == 30)
        #expect(admin.allows(ClientAddress("10.1.2.3")))
        #expect(admin.allows(ClientAddress("127.0.0.1")))
        #expect(admin.allows(ClientAddress("::1")))
        #expect(!admin.allows(ClientAddress("192.0.2.1")))
        #expect(!admin.allows(nil))
        #expect(try configuration("admin = \"off\"").admin.listener == nil)
    }

    @Test func nonLoopbackAdminNeedsAnAllowList() throws {
        var admin = AdminSettings()
        try admin.setListener("0.0.0.0:9100")
        #expect(throws: ServerError.self) { try admin.validate() }
        admin.allow = [ClientNetwork("10.0.0.0/8")!]
        try admin.validate()
        try admin.setListener("[::1]:9100")
        admin.allow = []
        try admin.validate()
    }

    @Test(arguments: [
        ("admin = 9100", "config admin: expected"),
        ("admin = \"nowhere\"", "expected HOST:PORT"),
        ("admin_allow = \"10.0.0.0/8\"", "config admin_allow: expected an array"),
        ("admin_allow = [\"ten\"]", "'ten' is not a network"),
        ("health_certificate_days = -1", "health_certificate_days"),
        ("health_certificate_days = 3651", "health_certificate_days"),
        ("health_certificate_days = \"30\"", "health_certificate_days"),
    ])
    func badAdminKeys(text: String, expected: String) {
        let error = message(text)
        #expect(error?.contains(expected) == true, "\(text): \(error ?? "accepted")")
    }

    @Test func logDefaults() throws {
        let log = try configuration("").log
        #expect(log.format == .human)
        #expect(log.level == .info)
        #expect(log.level(for: "imap") == .info)
    }

    @Test func logKeys() throws {
        let log = try configuration(
            """
            log_level = "warning"
            log_format = "JSON"
            [log.levels]
            imap = "debug"
            store = "error"
            """
        ).log
        #expect(log.format == .json)
        #expect(log.level(for: "imap") == .debug)
        #expect(log.level(for: "store") == .error)
        #expect(log.level(for: "lmtp") == .warning)
        #expect(log.level(for: "not-a-subsystem") == .warning)
    }

    @Test(arguments: [
        ("log_format = \"xml\"", "unknown log format 'xml'"),
        ("log_format = 1", "config log_format: expected a string"),
        ("log = 1", "config log: expected a table"),
        ("[log]\nlevels = 1", "config log.levels: expected a table"),
        ("[log]\ncolour = true", "unknown key 'colour' in [log]"),
        ("[log.levels]\nsmtp = \"debug\"", "unknown log subsystem 'smtp'"),
        ("[log.levels]\nimap = \"loud\"", "unknown log level 'loud'"),
        ("[log.levels]\nimap = 3", "config log.levels.imap: expected a level"),
    ])
    func badLogKeys(text: String, expected: String) {
        let error = message(text)
        #expect(error?.contains(expected) == true, "\(text): \(error ?? "accepted")")
    }

    @Test func logLevelsFlag() throws {
        var log = LogSettings()
        try log.setLevels("imap=debug, lmtp = trace")
        #expect(log.level(for: "imap") == .debug)
        #expect(log.level(for: "lmtp") == .trace)
        #expect(throws: ServerError.self) { try log.setLevels("imap") }
        #expect(throws: ServerError.self) { try log.setLevels("imap=") }
        #expect(throws: ServerError.self) { try log.setLevels("nothing=debug") }
    }
}
