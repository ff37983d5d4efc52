import Foundation
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
}
