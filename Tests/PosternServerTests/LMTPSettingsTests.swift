import Defences
import Delivery
import Foundation
import LMTP
import NIOCore
import NIOEmbedded
import Testing

@testable import PosternServer

@Suite struct LMTPSettingsTests {
    func configuration(_ text: String) throws -> ServerConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/srv/data"))
        try configuration.apply(tomlFile: url.path)
        return configuration
    }

    @Test func defaults() throws {
        let settings = try configuration("").lmtp
        #expect(settings.socket(dataDirectory: URL(fileURLWithPath: "/srv/data")) == "/srv/data/lmtp.sock")
        #expect(settings.listeners.isEmpty)
        #expect(settings.rules == DeliveryRules())
    }

    @Test func everyKey() throws {
        let settings = try configuration(
            """
            lmtp_socket = "/var/spool/postfix/private/postern"
            lmtp_socket_group = "postfix"
            lmtp = ["127.0.0.1:2424", "10.0.0.1:24"]
            lmtp_allow = ["10.0.0.0/24"]
            local_domains = ["Example.COM", "example.org"]
            recipient_delimiter = "-"
            [aliases]
            sales = ["alice", "bob"]
            "info@example.com" = "carol"
            """
        ).lmtp
        #expect(settings.socket(dataDirectory: URL(fileURLWithPath: "/x")) == "/var/spool/postfix/private/postern")
        #expect(settings.socketGroup == "postfix")
        #expect(settings.listeners.map(\.description) == ["127.0.0.1:2424", "10.0.0.1:24"])
        #expect(settings.rules.localDomains == ["example.com", "example.org"])
        #expect(settings.rules.recipientDelimiter == "-")
        #expect(settings.rules.aliases == ["sales": ["alice", "bob"], "info@example.com": ["carol"]])
        try settings.validate()
        #expect(settings.allows(ClientAddress("10.0.0.9")))
        #expect(settings.allows(ClientAddress("127.0.0.5")))
        #expect(settings.allows(ClientAddress("::1")))
        #expect(!settings.allows(ClientAddress("10.0.1.1")))
        #expect(!settings.allows(nil))
    }

    @Test func socketOff() throws {
        #expect(
            try configuration("lmtp_socket = \"off\"").lmtp.socket(dataDirectory: URL(fileURLWithPath: "/x")) == nil)
    }

    @Test(arguments: [
        "lmtp_socket = 1", "lmtp_socket = \"\"", "lmtp_socket_group = []", "lmtp = \"nonsense\"",
        "lmtp_allow = [\"not a network\"]", "local_domains = \"example.com\"", "recipient_delimiter = \"++\"",
        "aliases = \"x\"", "[aliases]\nempty = []", "[aliases]\nbad = [1]",
    ])
    func badValuesAreExplained(_ text: String) {
        #expect(throws: ServerError.self) { try configuration(text) }
    }

    @Test func nonLoopbackListenerNeedsAnAllowList() throws {
        let open = try configuration("lmtp = \"0.0.0.0:24\"").lmtp
        #expect(throws: ServerError.self) { try open.validate() }
        let allowed = try configuration("lmtp = \"0.0.0.0:24\"\nlmtp_allow = [\"192.0.2.0/24\"]").lmtp
        try allowed.validate()
        let long = try configuration("lmtp_socket = \"/\(String(repeating: "d", count: 120))\"").lmtp
        #expect(throws: ServerError.self) { try long.validate() }
    }

    @Test func idleConnectionsGetA421() throws {
        let channel = EmbeddedChannel(handler: LMTPIdleCloser())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 24)).wait()
        #expect(channel.isActive)
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: written) == LMTPReply.timeout.description)
        #expect(!channel.isActive)
    }
}
