import Foundation
import IMAPSession
import Logging
import MailStore
import MailStoreSQLite
import NIOPosix
import ServiceLifecycle
import Testing

@testable import PosternServer

/// An `IMAPServer` on a loopback port, stopped through a `ServiceGroup`: idle sessions get BYE and
/// are closed, a command in progress is answered first, and the grace period bounds the wait.
@Suite(.timeLimit(.minutes(1))) struct GracefulShutdownTests {
    static let user = "alice"
    static let password = "alice-pw"

    /// A data folder with a store holding `alice`, and a server for it on 127.0.0.1, port 0.
    struct Fixture {
        let directory: URL
        let store: SQLiteMailStore
        let server: IMAPServer
        let port: Int

        init(gracePeriod: Duration = IMAPServer.defaultShutdownGracePeriod) async throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("postern-shutdown-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteMailStore(dataDirectory: directory)
            let credentials = try PasswordHasher(unsafeTestIterations: 1).makeCredentials(password: password)
            _ = try await store.createAccount(name: user, credentials: credentials)
            var configuration = ServerConfiguration(dataDirectory: directory)
            configuration.listeners = [ListenerAddress(kind: .imaps, host: "127.0.0.1", port: 0)]
            let settings = try TLSSetup.settings(for: configuration)
            try TLSSetup.makeMissingSelfSigned(settings, hostName: "localhost")
            let tls = TLSContextHolder(try TLSSetup.load(settings))
            server = IMAPServer(
                configuration: configuration, store: store,
                authenticator: Authenticator(accounts: store, dummyIterations: 1),
                tls: tls, group: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "test"), shutdownGracePeriod: gracePeriod)
            port = try #require(try await server.start().first).port
        }

        func loggedInClient() async throws -> TestIMAPClient {
            let client = try await TestIMAPClient(port: port)
            let greeting = await client.readLine()
            #expect(greeting?.hasPrefix("* OK") == true, "greeting: \(greeting ?? "none")")
            try await client.send("l1 LOGIN \(user) \(password)\r\n")
            let login = await client.readResponse(tag: "l1")
            try #require(login.last?.hasPrefix("l1 OK") == true, "login: \(login)")
            return client
        }

        /// True once a new connection is refused: the shutdown has begun.
        func waitUntilNotListening() async throws {
            for _ in 0..<200 {
                do {
                    let probe = try await TestIMAPClient(port: port)
                    await probe.close()
                } catch {
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("the listener stayed open")
        }

        func inboxMessages() async throws -> Int {
            let (account, _) = try #require(try await store.credentials(accountName: user))
            let inbox = try #require(try await store.mailbox(account: account, name: "INBOX"))
            return try await store.status(account: account, mailbox: inbox.id).messages
        }

        func remove() {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func idleSessionGetsByeAndTheStoreCloses() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let group = ServiceGroup(
            services: [MailStoreService(store: fixture.store, logger: Logger(label: "test")), fixture.server],
            logger: Logger(label: "test"))
        async let running: Void = group.run()
        let client = try await fixture.loggedInClient()
        try await client.send("n1 NOOP\r\n")
        #expect(await client.readResponse(tag: "n1").last?.hasPrefix("n1 OK") == true)

        await group.triggerGracefulShutdown()
        let rest = await client.readUntilClosed()
        #expect(rest.first?.hasPrefix("* BYE") == true, "\(rest)")
        #expect(rest.count == 1, "nothing after BYE: \(rest)")
        try await running
        // Closed with its log moved into the database.
        let wal = fixture.directory.appendingPathComponent("postern.sqlite-wal")
        let walSize = (try? FileManager.default.attributesOfItem(atPath: wal.path)[.size] as? Int) ?? 0
        #expect(walSize == 0)
        await #expect(throws: (any Error).self) { _ = try await fixture.inboxMessages() }
    }

    /// An APPEND whose message is still arriving when the shutdown begins is stored and answered, and
    /// only then does BYE come.
    @Test func appendInProgressIsAnsweredBeforeBye() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let group = ServiceGroup(services: [fixture.server], logger: Logger(label: "test"))
        async let running: Void = group.run()
        let client = try await fixture.loggedInClient()
        let message = "Subject: late\r\n\r\nStill arriving when the server was told to stop.\r\n"
        let split = message.index(message.startIndex, offsetBy: 20)
        try await client.send("a1 APPEND INBOX {\(message.utf8.count)}\r\n")
        #expect(await client.readLine()?.hasPrefix("+") == true)
        try await client.send(String(message[..<split]))

        await group.triggerGracefulShutdown()
        try await fixture.waitUntilNotListening()
        // Let the session take its shutdown input while the message is incomplete.
        try await Task.sleep(for: .milliseconds(100))
        try await client.send(String(message[split...]) + "\r\n")
        let rest = await client.readUntilClosed()
        #expect(rest.count == 2, "\(rest)")
        #expect(rest.first?.hasPrefix("a1 OK [APPENDUID") == true, "\(rest)")
        #expect(rest.last?.hasPrefix("* BYE") == true, "\(rest)")
        try await running
        #expect(try await fixture.inboxMessages() == 1)
    }

    /// A client that stops sending in the middle of its APPEND holds the shutdown for the grace period
    /// only: then its connection is closed without an answer.
    @Test func stalledCommandIsCutAfterTheGracePeriod() async throws {
        let fixture = try await Fixture(gracePeriod: .milliseconds(300))
        defer { fixture.remove() }
        let group = ServiceGroup(services: [fixture.server], logger: Logger(label: "test"))
        async let running: Void = group.run()
        let client = try await fixture.loggedInClient()
        try await client.send("a1 APPEND INBOX {1000}\r\n")
        #expect(await client.readLine()?.hasPrefix("+") == true)
        try await client.send("Subject: never finished\r\n")

        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        let rest = await client.readUntilClosed()
        #expect(rest.isEmpty, "\(rest)")
        try await running
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(250) && took < .seconds(5), "\(took)")
        #expect(try await fixture.inboxMessages() == 0)
    }
}
