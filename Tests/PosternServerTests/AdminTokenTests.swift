import Foundation
import Testing

@testable import PosternServer

/// The admin API's token: `admin_token_file`, its reading and its bounds, and the check of an
/// `Authorization` header.
@Suite struct AdminTokenTests {
    static let secret = "a-long-enough-admin-token"

    func tokenFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The configuration error reading the token file at `path` gives, or nil.
    func failure(_ path: String) -> String? {
        do {
            _ = try AdminToken.read(path: path)
            return nil
        } catch let error as ServerError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func configurationKey() throws {
        let settings = OperationsSettingsTests()
        #expect(try settings.configuration("").admin.tokenFile == nil)
        #expect(
            try settings.configuration("admin_token_file = \"/etc/postern/token\"").admin.tokenFile
                == "/etc/postern/token")
        for bad in ["admin_token_file = 5", "admin_token_file = \"\""] {
            #expect(settings.message(bad)?.contains("config admin_token_file: expected the path of a file") == true)
        }
    }

    @Test func readsTheFirstLineTrimmed() throws {
        let path = try tokenFile("  \(Self.secret) \nsecond line\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let token = try AdminToken.read(path: path)
        #expect(token.accepts(authorization: "Bearer \(Self.secret)"))
        #expect(token.accepts(authorization: "bearer \(Self.secret)"))
    }

    @Test func refusesMissingShortLongAndBinaryFiles() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString)").path
        #expect(failure(missing) == "admin_token_file \(missing) cannot be read")
        let cases: [(String, String)] = [
            ("short\n", "shorter than 16"),
            (String(repeating: "t", count: AdminToken.maximumLength + 1), "longer than 4096"),
            ("", "shorter than 16"),
        ]
        for (text, expected) in cases {
            let path = try tokenFile(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(failure(path)?.contains(expected) == true, "\(failure(path) ?? "accepted")")
        }
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("bin-\(UUID().uuidString)")
        try Data([0xff, 0xfe, 0x00, 0x80] + Array(repeating: 0xff, count: 20)).write(to: binary)
        defer { try? FileManager.default.removeItem(at: binary) }
        #expect(failure(binary.path) == "admin_token_file \(binary.path): the token is not UTF-8 text")
        // The longest token taken is taken.
        let longest = String(repeating: "t", count: AdminToken.maximumLength)
        #expect(try AdminToken(longest).accepts(authorization: "Bearer \(longest)"))
    }

    @Test func acceptsOnlyTheBearerToken() throws {
        let token = try AdminToken(Self.secret)
        for header in [
            nil, "", "Bearer", "Bearer ", "Basic \(Self.secret)", "Bearer \(Self.secret)x", "Bearer a-long-enough",
            Self.secret, "Bearer  wrong-but-long-enough-token",
        ] {
            #expect(!token.accepts(authorization: header), "\(header ?? "nil")")
        }
        #expect(token.accepts(authorization: "Bearer \(Self.secret)"))
    }
}
