import BearerTokens
import Foundation
import Logging
import Testing

@testable import PosternServer

/// The `oauth_*` keys: off by default, all of file, issuer and audience together, and a JWKS file read at
/// start (a missing or broken one stops the start).
@Suite struct OAuthSettingsTests {
    func write(_ text: String, suffix: String = "toml") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "postern-\(UUID().uuidString).\(suffix)")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func offUnlessConfigured() throws {
        #expect(try OAuthSettings().policy() == nil)
    }

    @Test func tomlKeysSetThePolicy() throws {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        try configuration.apply(
            tomlFile: try write(
                """
                oauth_jwks_file = "/etc/postern/jwks.json"
                oauth_issuer = "https://id.example"
                oauth_audience = "imap"
                oauth_account_claim = "preferred_username"
                oauth_scope = "mail.read"
                """))
        let (file, policy) = try #require(try configuration.oauth.policy())
        #expect(file == "/etc/postern/jwks.json")
        #expect(
            policy
                == JWTBearerPolicy(
                    issuer: "https://id.example", audience: "imap", accountClaim: "preferred_username",
                    scope: "mail.read"))
    }

    @Test func halfConfiguredIsAnError() throws {
        var onlyIssuer = OAuthSettings()
        onlyIssuer.issuer = "https://id.example"
        #expect(throws: ServerError.self) { try onlyIssuer.policy() }
        var emptyClaim = OAuthSettings()
        emptyClaim.jwksFile = "/j"
        emptyClaim.issuer = "i"
        emptyClaim.audience = "a"
        emptyClaim.accountClaim = ""
        #expect(throws: ServerError.self) { try emptyClaim.policy() }
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        #expect(throws: ServerError.self) { try configuration.apply(tomlFile: try write("oauth_issuer = 3")) }
    }

    @Test func jwksFileIsReadAtStart() async throws {
        var settings = OAuthSettings()
        settings.issuer = "https://id.example"
        settings.audience = "imap"
        settings.jwksFile = try write(#"{"keys": []}"#, suffix: "json")
        await #expect(throws: ServerError.self) { try await settings.load(logger: .init(label: "test")) }
        settings.jwksFile = "/nonexistent/jwks.json"
        await #expect(throws: ServerError.self) { try await settings.load(logger: .init(label: "test")) }
        settings.jwksFile = nil
        settings.issuer = nil
        settings.audience = nil
        #expect(try await settings.load(logger: .init(label: "test")) == nil)
    }
}
