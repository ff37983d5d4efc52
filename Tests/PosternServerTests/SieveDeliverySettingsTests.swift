import Foundation
import MailRelay
import Testing

@testable import PosternServer

@Suite struct SieveDeliverySettingsTests {
    func configuration(_ text: String) throws -> ServerConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/srv/data"))
        try configuration.apply(tomlFile: url.path)
        return configuration
    }

    @Test func defaultsAndEveryKey() throws {
        #expect(try configuration("").sieve == SieveDeliverySettings())
        let settings = try configuration(
            """
            [sieve]
            relay = "smtp://127.0.0.1:2525"
            before = "/etc/postern/spam.sieve"
            after = ["/etc/postern/a.sieve", "/etc/postern/b.sieve"]
            global_dir = "/etc/postern/global"
            """
        ).sieve
        #expect(settings.relay == RelayEndpoint(host: "127.0.0.1", port: 2525))
        #expect(settings.before == ["/etc/postern/spam.sieve"])
        #expect(settings.after == ["/etc/postern/a.sieve", "/etc/postern/b.sieve"])
        #expect(settings.globalDirectory == "/etc/postern/global")
        #expect(try configuration("[sieve]\nrelay = \"\"").sieve.relay == nil)
    }

    @Test(arguments: [
        ("[sieve]\nrelay = \"127.0.0.1:25\"", "smtp://HOST[:PORT]"), ("[sieve]\nrelay = 25", "expected a string"),
        ("[sieve]\nbefore = [1]", "array of paths"), ("[sieve]\nglobal_dir = \"\"", "directory path"),
        ("[sieve]\nrelais = \"smtp://x\"", "unknown key 'relais' in [sieve]"), ("sieve = 1", "expected a table"),
    ])
    func clearErrors(_ text: String, _ expected: String) throws {
        do {
            _ = try configuration(text)
            Issue.record("\(text) must be refused")
        } catch let error as ServerError {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
