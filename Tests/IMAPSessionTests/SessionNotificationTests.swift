import Foundation
import Testing

/// Two sessions on one store: what one commits, the other learns, at the points RFC 9051 allows.
@Suite struct SessionNotificationTests {
    /// Two sessions of the same user on a fresh store, after `messages` were appended to INBOX, both with
    /// INBOX selected.
    func twoSessions(
        _ engine: Engine, messages: Int
    ) async throws -> (SessionEnvironment, watcher: SessionClient, writer: SessionClient) {
        let environment = try await SessionEnvironment(engine: engine)
        let watcher = await environment.client(loggedInAs: SessionEnvironment.user)
        let writer = await environment.client(loggedInAs: SessionEnvironment.user)
        for n in 0..<messages { await writer.append("INBOX", SessionClient.message("m\(n)")) }
        await watcher.command("s SELECT INBOX")
        await writer.command("s SELECT INBOX")
        return (environment, watcher, writer)
    }

    @Test(arguments: Engine.allCases)
    func newMailIsReportedOnNoop(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let watcher = await environment.client(loggedInAs: SessionEnvironment.user)
        let writer = await environment.client(loggedInAs: SessionEnvironment.user)
        #expect(await watcher.command("s SELECT INBOX").contains("* 0 EXISTS"))
        #expect(await writer.append("INBOX", SessionClient.message("one")).last?.hasPrefix("A OK") == true)
        let noop = await watcher.command("n NOOP")
        #expect(noop.contains("* 1 EXISTS"))
        #expect(noop.contains("* 1 RECENT"))
        #expect(noop.last?.hasPrefix("n OK") == true)
        // Reported once only.
        #expect(await watcher.command("n2 NOOP") == ["n2 OK NOOP completed"])
        await watcher.disconnect()
        await writer.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func flagChangesAreReported(_ engine: Engine) async throws {
        let (environment, watcher, writer) = try await twoSessions(engine, messages: 1)
        #expect(await writer.command("f STORE 1 +FLAGS.SILENT (\\Flagged)") == ["f OK STORE completed"])
        let noop = await watcher.command("n NOOP")
        #expect(noop.contains { $0.hasPrefix("* 1 FETCH (") && $0.contains("FLAGS (\\Flagged") })
        // The writer does not hear about its own silent change again.
        #expect(await writer.command("n NOOP") == ["n OK NOOP completed"])
        await watcher.disconnect()
        await writer.disconnect()
        withExtendedLifetime(environment) {}
    }

    /// RFC 9051 §7.5.1: no untagged EXPUNGE while answering FETCH, STORE or SEARCH (sequence numbers
    /// must not shift under the client); NOOP, and UID commands, may report it.
    @Test(arguments: Engine.allCases)
    func expungeWaitsForAnAllowedCommand(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let watcher = await environment.client(loggedInAs: SessionEnvironment.user)
        let writer = await environment.client(loggedInAs: SessionEnvironment.user)
        for n in 1...3 { await writer.append("INBOX", SessionClient.message("m\(n)")) }
        await watcher.command("s SELECT INBOX")
        await writer.command("s SELECT INBOX")
        await writer.command("d STORE 2 +FLAGS.SILENT (\\Deleted)")
        #expect(await writer.command("e EXPUNGE").contains("* 2 EXPUNGE"))

        let fetch = await watcher.command("f FETCH 1:* (UID)")
        #expect(!fetch.contains { $0.hasSuffix("EXPUNGE") })
        // The expunged message keeps its sequence number meanwhile (RFC 2180 §4.1).
        #expect(fetch.contains("* 3 FETCH (UID 3)"))
        let store = await watcher.command("t STORE 1 +FLAGS (\\Seen)")
        #expect(!store.contains { $0.hasSuffix("EXPUNGE") })
        let search = await watcher.command("q SEARCH ALL")
        #expect(!search.contains { $0.hasSuffix("EXPUNGE") })
        #expect(search.contains("* SEARCH 1 2 3") || search.contains("* SEARCH 1 3"))

        let noop = await watcher.command("n NOOP")
        #expect(noop.contains("* 2 EXPUNGE"))
        #expect(
            await watcher.command("f2 FETCH 1:* (UID)").filter { $0.hasPrefix("* ") } == [
                "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)",
            ])
        await watcher.disconnect()
        await writer.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func uidCommandsReportExpunges(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let watcher = await environment.client(loggedInAs: SessionEnvironment.user)
        let writer = await environment.client(loggedInAs: SessionEnvironment.user)
        for n in 1...2 { await writer.append("INBOX", SessionClient.message("m\(n)")) }
        await watcher.command("s SELECT INBOX")
        await writer.command("s SELECT INBOX")
        await writer.command("d STORE 1 +FLAGS.SILENT (\\Deleted)")
        await writer.command("e EXPUNGE")
        let fetch = await watcher.command("u UID FETCH 1:* (FLAGS)")
        #expect(fetch.first == "* 1 EXPUNGE")
        #expect(fetch.contains { $0.hasPrefix("* 1 FETCH (UID 2 ") || $0.hasPrefix("* 1 FETCH (FLAGS") })
        await watcher.disconnect()
        await writer.disconnect()
    }

    /// IDLE (RFC 2177): new mail, flag changes and expunges arrive without a command.
    @Test(arguments: Engine.allCases)
    func idlePushes(_ engine: Engine) async throws {
        let (environment, watcher, writer) = try await twoSessions(engine, messages: 1)
        #expect(await watcher.command("i IDLE").first?.hasPrefix("+ ") == true)

        await writer.append("INBOX", SessionClient.message("two"))
        let exists = await watcher.waitForLine { $0.text == "* 2 EXISTS" }
        #expect(exists.contains { $0.text == "* 2 EXISTS" })

        await writer.command("f STORE 1 +FLAGS.SILENT (\\Answered)")
        let flags = await watcher.waitForLine { $0.hasPrefix("* 1 FETCH") }
        #expect(flags.contains { $0.hasPrefix("* 1 FETCH (") && $0.text.contains("FLAGS (\\Answered") })

        await writer.command("d STORE 1 +FLAGS.SILENT (\\Deleted)")
        await writer.command("e EXPUNGE")
        let expunge = await watcher.waitForLine { $0.text == "* 1 EXPUNGE" }
        #expect(expunge.contains { $0.text == "* 1 EXPUNGE" })

        #expect(await watcher.command("DONE") == ["i OK IDLE terminated"])
        await watcher.disconnect()
        await writer.disconnect()
        withExtendedLifetime(environment) {}
    }

    /// A mailbox deleted under a session that has it selected ends that session (RFC 2180 §3.2).
    @Test(arguments: Engine.allCases)
    func deletedSelectedMailboxEndsTheSession(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let watcher = await environment.client(loggedInAs: SessionEnvironment.user)
        let writer = await environment.client(loggedInAs: SessionEnvironment.user)
        await writer.command("c CREATE Doomed")
        await watcher.command("s SELECT Doomed")
        #expect(await writer.command("d DELETE Doomed") == ["d OK DELETE completed"])
        let noop = await watcher.command("n NOOP")
        #expect(noop.first?.hasPrefix("* BYE") == true)
        #expect(watcher.closed)
        await writer.disconnect()
    }

    /// Another account's session hears nothing.
    @Test(arguments: Engine.allCases)
    func otherAccountsHearNothing(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let alice = await environment.client(loggedInAs: SessionEnvironment.user)
        let bob = await environment.client(loggedInAs: SessionEnvironment.user2)
        await bob.command("s SELECT INBOX")
        await alice.append("INBOX", SessionClient.message("private"))
        #expect(await bob.command("n NOOP") == ["n OK NOOP completed"])
        await alice.disconnect()
        await bob.disconnect()
    }

    /// STATUS (HIGHESTMODSEQ) is a CONDSTORE-enabling command (RFC 7162 §3.1): unsolicited FETCH
    /// responses carry MODSEQ from then on.
    @Test(arguments: Engine.allCases)
    func statusHighestModSeqEnablesCondstore(_ engine: Engine) async throws {
        let (environment, watcher, writer) = try await twoSessions(engine, messages: 1)
        await writer.command("f1 STORE 1 +FLAGS.SILENT (\\Flagged)")
        #expect(!(await watcher.command("n1 NOOP")).contains { $0.contains("MODSEQ") })
        await watcher.command("t STATUS Sent (HIGHESTMODSEQ)")
        await writer.command("f2 STORE 1 +FLAGS.SILENT (\\Answered)")
        #expect((await watcher.command("n2 NOOP")).contains { $0.hasPrefix("* 1 FETCH (") && $0.contains("MODSEQ (") })
        await watcher.disconnect()
        await writer.disconnect()
        withExtendedLifetime(environment) {}
    }
}
