import Foundation
import MailRelay
import Sieve
import Testing

@testable import PosternServer

/// The config file's `[sieve]` table: spamtest/virustest settings (RFC 5235), and a server configuration
/// that holds the table still loads.
@Suite struct SieveSettingsTests {
    func load(_ text: String) throws -> SieveSettings {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try SieveSettings.load(tomlFile: url.path)
    }

    @Test func defaultsWithoutTheTable() throws {
        #expect(try load("host_name = \"x\"\n") == SieveSettings())
    }

    @Test func everyKey() throws {
        let settings = try load(
            """
            [sieve]
            spamtest_header = "X-Spam-Score"
            spamtest_type = "score"
            spamtest_max = 15.5
            virustest_header = "X-Virus"
            virustest_type = "strlen"
            virustest_max = 5
            """)
        #expect(settings.spamtest == SieveTestHeaderSettings(header: "X-Spam-Score", kind: .score, maxValue: 15.5))
        #expect(settings.virustest == SieveTestHeaderSettings(header: "X-Virus", kind: .strlen, maxValue: 5))
    }

    @Test(arguments: [
        ("[sieve]\nspamtest_header = \"\"\n", "config sieve.spamtest_header: expected a header field name"),
        ("[sieve]\nspamtest_header = \"X: Y\"\n", "config sieve.spamtest_header: expected a header field name"),
        (
            "[sieve]\nvirustest_header = \"X\"\nvirustest_type = \"colour\"\n",
            "config sieve.virustest_type: expected \"score\", \"strlen\" or \"text\""
        ),
        (
            "[sieve]\nspamtest_header = \"X\"\nspamtest_max = 0\n",
            "config sieve.spamtest_max: expected a positive number"
        ),
        ("sieve = 3\n", "config sieve: expected a table"),
    ])
    func errors(_ text: String, _ message: String) {
        #expect(throws: ServerError.self) { try load(text) }
        do {
            _ = try load(text)
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func serverConfigurationAcceptsTheTable() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data("host_name = \"mail.example.com\"\n[sieve]\nspamtest_header = \"X-Spam\"\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/srv/data"))
        try configuration.apply(tomlFile: url.path)
    }

    @Test func defaultsAndEveryKey() throws {
        #expect(try load("") == SieveSettings())
        let settings = try load(
            """
            [sieve]
            relay = "smtp://127.0.0.1:2525"
            before = "/etc/postern/spam.sieve"
            after = ["/etc/postern/a.sieve", "/etc/postern/b.sieve"]
            global_dir = "/etc/postern/global"
            """
        )
        #expect(settings.relay == RelayEndpoint(host: "127.0.0.1", port: 2525))
        #expect(settings.before == ["/etc/postern/spam.sieve"])
        #expect(settings.after == ["/etc/postern/a.sieve", "/etc/postern/b.sieve"])
        #expect(settings.globalDirectory == "/etc/postern/global")
        #expect(try load("[sieve]\nrelay = \"\"").relay == nil)
    }

    @Test(arguments: [
        ("[sieve]\nrelay = \"127.0.0.1:25\"", "smtp://HOST[:PORT]"), ("[sieve]\nrelay = 25", "expected a string"),
        ("[sieve]\nbefore = [1]", "array of paths"), ("[sieve]\nglobal_dir = \"\"", "directory path"),
        ("[sieve]\nrelais = \"smtp://x\"", "unknown key 'relais' in [sieve]"), ("sieve = 1", "expected a table"),
    ])
    func clearErrors(_ text: String, _ expected: String) throws {
        do {
            _ = try load(text)
            Issue.record("\(text) must be refused")
        } catch let error as ServerError {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
