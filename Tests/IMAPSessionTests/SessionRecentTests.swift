import Foundation
import Testing

/// \Recent (RFC 3501 §2.3.2) in IMAP4rev1, and its absence in IMAP4rev2 (RFC 9051 Appendix E).
@Suite struct SessionRecentTests {
    static func recentLine(_ lines: [String]) -> String? {
        lines.first { $0.hasPrefix("* ") && $0.hasSuffix(" RECENT") }
    }

    /// The session that saw new messages first keeps them as recent through EXAMINE, a SELECT of
    /// another mailbox and a SELECT again; a second session never sees them as recent.
    @Test(arguments: Engine.allCases)
    func recentStaysWithTheSessionThatSawItFirst(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let first = await environment.client(loggedInAs: SessionEnvironment.user)
        let second = await environment.client(loggedInAs: SessionEnvironment.user)
        await first.command("c CREATE Other")
        for n in 1...2 { await first.append("INBOX", SessionClient.message("m\(n)")) }
        #expect(Self.recentLine(await first.command("s1 SELECT INBOX")) == "* 2 RECENT")
        #expect(Self.recentLine(await second.command("s2 SELECT INBOX")) == "* 0 RECENT")
        #expect(Self.recentLine(await first.command("e1 EXAMINE INBOX")) == "* 2 RECENT")
        let flags = await first.command("f1 FETCH 1:2 (FLAGS)")
        #expect(flags.filter { $0.contains("\\Recent") }.count == 2)
        #expect(await first.command("q1 SEARCH RECENT").contains("* SEARCH 1 2"))
        #expect(Self.recentLine(await first.command("o1 SELECT Other")) == "* 0 RECENT")
        #expect(Self.recentLine(await first.command("s3 SELECT INBOX")) == "* 2 RECENT")
        // New mail while selected: claimed by the read-write session that sees it first (the one that
        // appends here has nothing selected).
        let third = await environment.client(loggedInAs: SessionEnvironment.user)
        await third.append("INBOX", SessionClient.message("m3"))
        await third.disconnect()
        let noop = await first.command("n1 NOOP")
        #expect(noop.contains("* 3 EXISTS"))
        #expect(Self.recentLine(noop) == "* 3 RECENT")
        #expect(Self.recentLine(await second.command("n2 NOOP")) == "* 0 RECENT")
        #expect(Self.recentLine(await first.command("e2 EXAMINE INBOX")) == "* 3 RECENT")
        #expect(Self.recentLine(await second.command("e3 EXAMINE INBOX")) == "* 0 RECENT")
        // Expunged messages are no longer counted.
        await first.command("s4 SELECT INBOX")
        await first.command("d1 STORE 1 +FLAGS.SILENT (\\Deleted)")
        await first.command("x1 EXPUNGE")
        #expect(Self.recentLine(await first.command("e4 EXAMINE INBOX")) == "* 2 RECENT")
        await first.disconnect()
        await second.disconnect()
    }

    /// After ENABLE IMAP4rev2: no RECENT response and no \Recent flag; RECENT, NEW and OLD in SEARCH
    /// and RECENT in STATUS are refused.
    @Test(arguments: Engine.allCases)
    func imap4rev2HasNoRecent(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let client = await environment.client(loggedInAs: SessionEnvironment.user)
        let writer = await environment.client(loggedInAs: SessionEnvironment.user)
        #expect(await client.command("en ENABLE IMAP4rev2").contains("* ENABLED IMAP4rev2"))
        await writer.append("INBOX", SessionClient.message("m1"))
        let select = await client.command("s SELECT INBOX")
        #expect(select.contains("* 1 EXISTS"))
        #expect(Self.recentLine(select) == nil)
        #expect(!(await client.command("f FETCH 1 (FLAGS)")).contains { $0.contains("\\Recent") })
        await writer.append("INBOX", SessionClient.message("m2"))
        let noop = await client.command("n NOOP")
        #expect(noop.contains("* 2 EXISTS"))
        #expect(Self.recentLine(noop) == nil)
        for (tag, key) in [("a", "RECENT"), ("b", "NEW"), ("c", "OLD"), ("d", "NOT (SEEN OR 1 RECENT)")] {
            let answer = await client.command("\(tag) SEARCH \(key)")
            #expect(answer.last?.hasPrefix("\(tag) BAD") == true, "\(key): \(answer)")
        }
        #expect(await client.command("g SEARCH ALL").last?.hasPrefix("g OK") == true)
        #expect(await client.command("h STATUS INBOX (MESSAGES RECENT)").last?.hasPrefix("h BAD") == true)
        #expect(await client.command("i STATUS INBOX (MESSAGES)").contains("* STATUS INBOX (MESSAGES 2)"))
        let listStatus = await client.command("j LIST \"\" INBOX RETURN (STATUS (RECENT))")
        #expect(listStatus.last?.hasPrefix("j BAD") == true)
        await client.disconnect()
        await writer.disconnect()
    }
}
