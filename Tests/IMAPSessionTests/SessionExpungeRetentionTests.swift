import Foundation
import MailStore
import Testing

/// RFC 2180 §4.1.1: a message another session expunged stays readable in a session that has not been
/// told yet (it still has its sequence number there), on every FETCH path; RFC 9051 §7.3.5: a keyword
/// another session set is announced by FLAGS before a FETCH shows it.
@Suite struct SessionExpungeRetentionTests {
    func twoSessions(_ engine: Engine) async throws -> (SessionEnvironment, SessionClient, SessionClient) {
        let environment = try await SessionEnvironment(engine: engine)
        let reader = await environment.client(loggedInAs: SessionEnvironment.user)
        let writer = await environment.client(loggedInAs: SessionEnvironment.user)
        for n in 1...3 { await writer.append("INBOX", SessionClient.message("m\(n)")) }
        await reader.command("s SELECT INBOX")
        await writer.command("s SELECT INBOX")
        return (environment, reader, writer)
    }

    @Test(arguments: Engine.allCases)
    func fetchOfAMessageExpungedElsewhereSucceeds(_ engine: Engine) async throws {
        let (environment, reader, writer) = try await twoSessions(engine)
        await writer.command("d STORE 2 +FLAGS.SILENT (\\Deleted)")
        #expect(await writer.command("x EXPUNGE").contains("* 2 EXPUNGE"))
        // Its body, its structure, its flags (from the flag cache), and a whole-message read.
        let bodies = await reader.command("f1 FETCH 1:3 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        #expect(bodies.last?.hasPrefix("f1 OK") == true, "\(bodies)")
        #expect(bodies.contains { $0.hasPrefix("* 2 FETCH (UID 2 ") && $0.contains("Subject: m2") })
        let envelope = await reader.command("f2 FETCH 2 (ENVELOPE BODYSTRUCTURE)")
        #expect(envelope.last?.hasPrefix("f2 OK") == true, "\(envelope)")
        #expect(envelope.contains { $0.hasPrefix("* 2 FETCH (ENVELOPE (") && $0.contains("\"m2\"") })
        let flags = await reader.command("f3 FETCH 1:* (UID FLAGS)")
        #expect(flags.last?.hasPrefix("f3 OK") == true, "\(flags)")
        #expect(flags.contains { $0.hasPrefix("* 2 FETCH (UID 2 FLAGS (") && $0.contains("\\Deleted") })
        let whole = await reader.command("f4 FETCH 2 (RFC822.SIZE BODY.PEEK[])")
        #expect(whole.last?.hasPrefix("f4 OK") == true, "\(whole)")
        #expect(whole.contains { $0.contains("Body of m2.") })
        // Told at last; then the store lets the message go.
        #expect(await reader.command("n NOOP").contains("* 2 EXPUNGE"))
        let account = try #require(try await environment.store.credentials(accountName: SessionEnvironment.user)).0
        let inbox = try #require(try await environment.store.mailbox(account: account, name: "INBOX")).id
        #expect(environment.store.changeHub.retention.count(account: account, mailbox: inbox) == 0)
        #expect(
            await reader.command("f5 FETCH 1:* (UID)").filter { $0.hasPrefix("* ") } == [
                "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)",
            ])
        await reader.disconnect()
        await writer.disconnect()
    }

    /// A message moved out by another session is readable too; a session that left the mailbox holds
    /// nothing back.
    @Test(arguments: Engine.allCases)
    func movedAwayAndLeftMailbox(_ engine: Engine) async throws {
        let (environment, reader, writer) = try await twoSessions(engine)
        await writer.command("c CREATE Archive")
        #expect(await writer.command("m MOVE 1 Archive").last?.hasPrefix("m OK") == true)
        let fetch = await reader.command("f FETCH 1 (BODY.PEEK[TEXT])")
        #expect(fetch.last?.hasPrefix("f OK") == true, "\(fetch)")
        #expect(fetch.contains { $0.contains("Body of m1.") })
        await reader.command("u UNSELECT")
        await writer.command("u UNSELECT")
        let account = try #require(try await environment.store.credentials(accountName: SessionEnvironment.user)).0
        let inbox = try #require(try await environment.store.mailbox(account: account, name: "INBOX")).id
        #expect(environment.store.changeHub.retention.count(account: account, mailbox: inbox) == 0)
        await reader.disconnect()
        await writer.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func newKeywordsAreAnnouncedBeforeAFetchShowsThem(_ engine: Engine) async throws {
        let (environment, reader, writer) = try await twoSessions(engine)
        await writer.command("k STORE 1 +FLAGS (kwFresh)")
        for (tag, items) in [("a", "FLAGS"), ("b", "(FLAGS BODY.PEEK[HEADER])"), ("c", "(FLAGS ENVELOPE)")] {
            let lines = await reader.command("\(tag) FETCH 1 \(items)")
            let flagsAt = lines.firstIndex { $0.hasPrefix("* FLAGS (") && $0.contains("kwFresh") }
            let fetchAt = lines.firstIndex { $0.hasPrefix("* 1 FETCH") && $0.contains("kwFresh") }
            #expect(fetchAt != nil, "\(lines)")
            if tag == "a" {
                #expect(flagsAt != nil && flagsAt! < fetchAt!, "\(lines)")
                #expect(lines.contains { $0.hasPrefix("* OK [PERMANENTFLAGS (") && $0.contains("kwFresh") })
            }
        }
        await reader.disconnect()
        await writer.disconnect()
        withExtendedLifetime(environment) {}
    }
}
