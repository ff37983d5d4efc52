import Foundation
import Logging
import Testing

@testable import PosternServer

/// `store` and `store_password_file`: where `postern serve` keeps the mail.
@Suite struct StoreSetupTests {
    func write(_ text: String, suffix: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "postern-\(UUID().uuidString).\(suffix)")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func configFileNamesTheStore() throws {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        #expect(configuration.store == nil)
        try configuration.apply(
            tomlFile: try write(
                """
                store = "postgresql://postern@db.example.com/postern"
                store_password_file = "/etc/postern/db-password"
                """, suffix: "toml"))
        #expect(configuration.store == "postgresql://postern@db.example.com/postern")
        #expect(configuration.storePasswordFile == "/etc/postern/db-password")
        #expect(throws: ServerError.self) { try configuration.apply(tomlFile: try write("store = 5", suffix: "toml")) }
    }

    /// The file's first line is the password, without its line end; a file that cannot be read is an error.
    @Test func passwordFromFile() throws {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        configuration.storePasswordFile = try write("s3cret pass\nignored\n", suffix: "txt")
        #expect(try StoreSetup.password(configuration) == "s3cret pass")
        configuration.storePasswordFile = "/nonexistent/postern-password"
        #expect(throws: ServerError.self) { try StoreSetup.password(configuration) }
    }

    /// A malformed URL is a configuration error, found before anything connects.
    @Test(arguments: ["postgresql://u:pw@host/db", "postgresql://host/db", "postgresql://u@host/db?pool=0"])
    func badURLIsAConfigurationError(_ url: String) async {
        var configuration = ServerConfiguration(dataDirectory: FileManager.default.temporaryDirectory)
        configuration.store = url
        await #expect(throws: ServerError.self) {
            _ = try await StoreSetup.open(configuration: configuration, logger: Logger(label: "test"))
        }
    }
}
