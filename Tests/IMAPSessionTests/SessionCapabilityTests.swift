import Testing

@testable import IMAPSession

/// CAPABILITY lists exactly what is implemented (RFC 9051 §6.1.1, §7.2.2): pinned here for each
/// case — before login on IMAPS, on a cleartext listener with and without STARTTLS, after STARTTLS,
/// after login — and the greeting's and LOGIN's lists are the same as the command's.
@Suite struct SessionCapabilityTests {
    static let base = ["IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ID", "ENABLE"]
    /// What the test environment offers over TLS (no client certificate, no bearer tokens).
    static let mechanisms = ["AUTH=SCRAM-SHA-256", "AUTH=PLAIN", "AUTH=LOGIN"]
    static let loggedIn = [
        "IDLE", "UNSELECT", "NAMESPACE", "UIDPLUS", "MOVE", "BINARY", "CHILDREN", "SPECIAL-USE",
        "CREATE-SPECIAL-USE", "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES", "LIST-EXTENDED", "LIST-STATUS",
        "MULTIAPPEND", "UNAUTHENTICATE", "STATUS=SIZE", "SAVEDATE", "OBJECTID", "UTF8=ACCEPT",
        "APPENDLIMIT=\(SessionEnvironment.maxMessageSize)", "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE",
        "QUOTASET", "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "ESORT", "PARTIAL",
        "COMPRESS=DEFLATE", "WITHIN", "REPLACE", "PREVIEW", "METADATA", "METADATA-SERVER", "UIDONLY",
    ]

    static func line(_ caps: [String]) -> String { "* CAPABILITY " + caps.joined(separator: " ") }

    func session(
        _ environment: SessionEnvironment, tls: Bool, startTLS: Bool
    ) async -> (SessionClient, greeting: [String]) {
        var configuration = environment.configuration()
        configuration.tlsActive = tls
        configuration.startTLSAvailable = startTLS
        let client = await SessionClient(configuration: configuration)
        return (client, client.lines().map(\.text))
    }

    @Test func imapsBeforeAndAfterLogin() async throws {
        let environment = try await SessionEnvironment(engine: .memory)
        let (client, greeting) = await session(environment, tls: true, startTLS: false)
        let before = Self.base + Self.mechanisms
        #expect(greeting == ["* OK [CAPABILITY \(before.joined(separator: " "))] Postern ready"])
        #expect(await client.command("c CAPABILITY") == [Self.line(before), "c OK CAPABILITY completed"])
        let login = await client.command("l LOGIN \(SessionEnvironment.user) \"\(SessionEnvironment.password)\"")
        let after = Self.base + Self.loggedIn
        #expect(login == ["l OK [CAPABILITY \(after.joined(separator: " "))] Logged in"])
        #expect(await client.command("d CAPABILITY") == [Self.line(after), "d OK CAPABILITY completed"])
        // After UNAUTHENTICATE, the list before login again.
        #expect(await client.command("u UNAUTHENTICATE").last?.hasPrefix("u OK") == true)
        #expect(await client.command("e CAPABILITY").first == Self.line(before))
        await client.disconnect()
    }

    /// RFC 9051 §6.2.1, §7.2.2 and RFC 8314: before TLS, STARTTLS and LOGINDISABLED and no mechanism;
    /// after STARTTLS, the mechanisms and neither of the two.
    @Test func cleartextWithStartTLS() async throws {
        let environment = try await SessionEnvironment(engine: .memory)
        let (client, greeting) = await session(environment, tls: false, startTLS: true)
        let before = Self.base + ["STARTTLS", "LOGINDISABLED"]
        #expect(greeting == ["* OK [CAPABILITY \(before.joined(separator: " "))] Postern ready"])
        #expect(await client.command("c CAPABILITY") == [Self.line(before), "c OK CAPABILITY completed"])
        #expect(await client.command("t STARTTLS") == ["t OK Begin TLS negotiation now"])
        #expect(await client.command("d CAPABILITY").first == Self.line(Self.base + Self.mechanisms))
        await client.disconnect()
    }

    @Test func cleartextWithoutTLS() async throws {
        let environment = try await SessionEnvironment(engine: .memory)
        let (client, _) = await session(environment, tls: false, startTLS: false)
        #expect(await client.command("c CAPABILITY").first == Self.line(Self.base + ["LOGINDISABLED"]))
        #expect(await client.command("t STARTTLS").last?.hasPrefix("t NO") == true)
        await client.disconnect()
    }

    /// RFC 2971 §3.3: the server's name and version, in any state.
    @Test func idNamesServerAndVersion() async throws {
        let environment = try await SessionEnvironment(engine: .memory)
        let (client, _) = await session(environment, tls: true, startTLS: false)
        let answer = ["* ID (\"name\" \"Postern\" \"version\" \"\(ServerIdentity.version)\")", "i OK ID completed"]
        #expect(await client.command("i ID NIL") == answer)
        #expect(await client.command("i ID (\"name\" \"test\" \"os\" NIL)") == answer)
        let pairs = (0..<31).map { "\"k\($0)\" NIL" }.joined(separator: " ")
        #expect(await client.command("j ID (\(pairs))").last?.hasPrefix("j BAD") == true)
        await client.disconnect()
    }
}
