import Foundation
import Testing

@testable import PosternServer

/// `search_index`: off by default, on when the file says true, a clear error for anything else.
@Suite struct SearchIndexSettingTests {
    func configuration(_ text: String) throws -> ServerConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/srv/data"))
        try configuration.apply(tomlFile: url.path)
        return configuration
    }

    @Test func offByDefaultOnWhenAsked() throws {
        #expect(try !configuration("").searchIndex)
        #expect(try configuration("search_index = true").searchIndex)
        #expect(try !configuration("search_index = false").searchIndex)
    }

    @Test func otherValuesAreRefused() {
        for text in ["search_index = \"no\"", "search_index = 0"] {
            #expect {
                _ = try configuration(text)
            } throws: { error in
                "\(error)".contains("config search_index: expected true or false")
            }
        }
    }
}
