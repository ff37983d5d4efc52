import Foundation
import MailStore
import Testing

@testable import IMAPSession

/// SORT, ESORT, PARTIAL and THREAD in the session (RFC 5256, 5267, 5957, 9394), on each engine.
@Suite struct SessionSortTests {
    static func message(
        _ id: String, subject: String, from: String, to: String = "x@example.org", date: String,
        references: String? = nil, inReplyTo: String? = nil, body: String = "body"
    ) -> String {
        var text =
            "Message-ID: <\(id)@example.org>\r\nFrom: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: \(date)\r\n"
        if let references { text += "References: \(references)\r\n" }
        if let inReplyTo { text += "In-Reply-To: \(inReplyTo)\r\n" }
        return text + "\r\n\(body)\r\n"
    }

    /// Six messages: a thread about "topic" (1, 2, 4, 5), and two unrelated "other" (3, 6).
    static let mailbox: [String] = [
        message(
            "a", subject: "topic", from: "\"Aaron\" <zed@example.org>", date: "Mon, 1 Jan 2024 10:00:00 +0000",
            body: String(repeating: "x", count: 500)),
        message(
            "b", subject: "Re: topic", from: "alice@example.org", date: "Tue, 2 Jan 2024 10:00:00 +0000",
            references: "<a@example.org>", body: String(repeating: "x", count: 100)),
        message(
            "c", subject: "=?UTF-8?Q?=C3=A9t=C3=A9?= [other]", from: "\"Bob\" <bob@example.org>", to: "",
            date: "3 Jan 2024 09:00 -0200", body: String(repeating: "x", count: 300)),
        message(
            "d", subject: "RE: [list] Re: topic", from: "Carol <carol@example.org>",
            date: "Thu, 4 Jan 2024 10:00:00 +0000", inReplyTo: "<b@example.org> (comment)", body: ""),
        message(
            "e", subject: "Fwd: topic (fwd)", from: "alice@example.org", date: "Fri, 5 Jan 2024 10:00:00 +0000",
            references: "<zz@example.org> <a@example.org>"),
        message(
            "f", subject: "\u{c9}T\u{c9} [other]", from: "dave@example.org", date: "Sat, 6 Jan 2024 10:00:00 +0000"),
    ]

    /// A session with `mailbox` selected; the environment must outlive it (it owns the store's files).
    func filled(_ environment: SessionEnvironment) async throws -> SessionClient {
        let client = await environment.client(loggedInAs: SessionEnvironment.user)
        for text in Self.mailbox { #expect(await client.append("INBOX", text).last?.hasPrefix("A OK") == true) }
        #expect(await client.command("s SELECT INBOX").last?.hasPrefix("s OK") == true)
        return client
    }

    @Test(arguments: Engine.allCases)
    func sortCriteria(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let client = try await filled(environment)
        // Base subjects: "été [other]" ×2 (the casemap folds É to é), topic ×4.
        #expect(await client.command("a SORT (SUBJECT) UTF-8 ALL") == ["* SORT 3 6 1 2 4 5", "a OK SORT completed"])
        #expect(await client.command("b SORT (DATE) UTF-8 ALL").first == "* SORT 1 2 3 4 5 6")
        #expect(await client.command("c SORT (REVERSE DATE) UTF-8 ALL").first == "* SORT 6 5 4 3 2 1")
        // From mailboxes: alice alice bob carol dave zed.
        #expect(await client.command("d SORT (FROM) UTF-8 ALL").first == "* SORT 2 5 3 4 6 1")
        // Display names: Aaron, alice@..., alice@..., Bob, Carol, dave@...
        #expect(await client.command("e SORT (DISPLAYFROM) UTF-8 ALL").first == "* SORT 1 2 5 3 4 6")
        // Message 3 has an empty To: it sorts first.
        #expect(await client.command("f SORT (TO REVERSE DATE) UTF-8 ALL").first == "* SORT 3 6 5 4 2 1")
        #expect(await client.command("g SORT (SIZE) UTF-8 ALL").first?.hasSuffix(" 2 3 1") == true)
        #expect(await client.command("h SORT (REVERSE SIZE) UTF-8 ALL").first?.hasPrefix("* SORT 1 3 2") == true)
        #expect(
            await client.command("i SORT (CC SUBJECT) UTF-8 SINCE 1-Jan-2000 UNDELETED").first == "* SORT 3 6 1 2 4 5")
        #expect(await client.command("j UID SORT (SUBJECT REVERSE DATE) UTF-8 2:5").first == "* SORT 3 5 4 2")
        #expect(await client.command("k SORT (DATE) US-ASCII SUBJECT nothing") == ["* SORT", "k OK SORT completed"])
        await client.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func esortAndPartial(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let client = try await filled(environment)
        #expect(
            await client.command("a SORT RETURN (MIN MAX COUNT ALL) (REVERSE DATE) UTF-8 ALL") == [
                "* ESEARCH (TAG \"a\") MIN 6 MAX 1 COUNT 6 ALL 6,5,4,3,2,1", "a OK SORT completed",
            ])
        #expect(
            await client.command("b SORT RETURN () (SUBJECT) UTF-8 ALL").first
                == "* ESEARCH (TAG \"b\") ALL 3,6,1:2,4:5")
        #expect(
            await client.command("c UID SORT RETURN (PARTIAL 2:3) (SUBJECT) UTF-8 ALL").first
                == "* ESEARCH (TAG \"c\") UID PARTIAL (2:3 6,1)")
        #expect(
            await client.command("d SORT RETURN (PARTIAL -1:-2 COUNT) (SUBJECT) UTF-8 ALL").first
                == "* ESEARCH (TAG \"d\") COUNT 6 PARTIAL (-1:-2 4:5)")
        #expect(
            await client.command("e SORT RETURN (PARTIAL 7:9) (SUBJECT) UTF-8 ALL").first
                == "* ESEARCH (TAG \"e\") PARTIAL (7:9 NIL)")
        #expect(
            await client.command("f SEARCH RETURN (PARTIAL -1:-2) ALL").first
                == "* ESEARCH (TAG \"f\") PARTIAL (-1:-2 5:6)")
        #expect(
            await client.command("g UID SEARCH RETURN (PARTIAL 1:3 MIN) ALL").first
                == "* ESEARCH (TAG \"g\") UID MIN 1 PARTIAL (1:3 1:3)")
        await client.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func threads(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let client = try await filled(environment)
        // 2 answers 1, 4 answers 2, 5 names 1 as its parent through a missing message; 3 and 6 share a
        // base subject and neither is a reply: a dummy holds both.
        #expect(
            await client.command("a THREAD REFERENCES UTF-8 ALL") == [
                "* THREAD (1 (2 4)(5))((3)(6))", "a OK THREAD completed",
            ])
        #expect(await client.command("b THREAD ORDEREDSUBJECT UTF-8 ALL").first == "* THREAD (1 (2)(4)(5))(3 6)")
        #expect(await client.command("c UID THREAD REFERENCES UTF-8 2:*").first == "* THREAD ((2 4)(5))((3)(6))")
        #expect(
            await client.command("d THREAD REFERENCES UTF-8 SUBJECT nothing") == ["* THREAD", "d OK THREAD completed"])
        await client.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func errors(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let client = try await filled(environment)
        #expect(
            await client.command("a SORT (DATE) KOI8-R ALL").last
                == "a NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset")
        #expect(await client.command("b THREAD REFERENCES ISO-8859-1 ALL").last?.hasPrefix("b NO [BADCHARSET") == true)
        #expect(await client.command("c SORT (BOGUS) UTF-8 ALL").last?.hasPrefix("c BAD") == true)
        #expect(await client.command("d THREAD BOGUS UTF-8 ALL").last?.hasPrefix("d BAD") == true)
        #expect(await client.command("e ENABLE IMAP4rev2").last?.hasPrefix("e OK") == true)
        #expect(await client.command("f SORT (DATE) UTF-8 RECENT").last?.hasPrefix("f BAD") == true)
        #expect(await client.command("g UNSELECT").last?.hasPrefix("g OK") == true)
        #expect(await client.command("h SORT (DATE) UTF-8 ALL").last == "h BAD Select a mailbox first")
        await client.disconnect()
    }

    /// Keys are derived once and kept: a second SORT reads them from the store, and a store failure
    /// is a NO without the failure's text.
    @Test(arguments: Engine.allCases)
    func keysAreKeptInTheStore(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let failing = FailingStore(environment.store)
        let client = await environment.client(loggedInAs: SessionEnvironment.user, store: failing)
        for text in Self.mailbox.prefix(3) { await client.append("INBOX", text) }
        #expect(await client.command("s SELECT INBOX").last?.hasPrefix("s OK") == true)
        #expect(await client.command("a SORT (SUBJECT) UTF-8 ALL").first == "* SORT 3 1 2")
        let account = try #require(try await environment.store.credentials(accountName: SessionEnvironment.user)).0
        let box = try #require(try await environment.store.mailbox(account: account, name: "INBOX"))
        let kept = try await environment.store.sortKeys(account: account, mailbox: box.id, uids: UIDSet([1, 2, 3]))
        #expect(kept.count == 3)
        #expect(kept.values.allSatisfy { $0.version == MessageSortKeys.version })
        // With the content unreadable, the kept keys still answer.
        failing.fail(["content", "setSortKeys"])
        #expect(await client.command("b SORT (REVERSE SUBJECT) UTF-8 ALL").first == "* SORT 1 2 3")
        failing.fail(["sortKeys"])
        let failed = await client.command("c SORT (SUBJECT) UTF-8 ALL")
        #expect(failed.last?.hasPrefix("c NO") == true)
        #expect(!failed.joined().contains(FailingStore.secret))
        await client.disconnect()
    }

    /// The limits' stress: a mailbox of thousands of messages in one reply chain (each answers the one
    /// before, in reverse order of arrival so that links are made both ways), sorted and threaded.
    @Test func manyMessagesInOneDeepChain() async throws {
        let environment = try await SessionEnvironment(engine: .memory)
        let client = await environment.client(loggedInAs: SessionEnvironment.user)
        let count = 3000
        for n in stride(from: count, through: 1, by: -1) {
            let text = Self.message(
                "m\(n)", subject: n == 1 ? "deep" : "Re: deep", from: "u\(n % 7)@example.org",
                date: "1 Jan 2020 00:00:00 +0000", references: n > 1 ? "<m\(n - 1)@example.org>" : nil)
            await client.append("INBOX", text)
        }
        #expect(await client.command("s SELECT INBOX").last?.hasPrefix("s OK") == true)
        // Sequence number k holds message count + 1 - k: the chain runs from the last to the first.
        let chain = (1...count).reversed().map(String.init).joined(separator: " ")
        #expect(await client.command("t THREAD REFERENCES UTF-8 ALL").first == "* THREAD (\(chain))")
        let sorted = await client.command("a SORT (FROM REVERSE ARRIVAL) UTF-8 ALL")
        #expect(sorted.last == "a OK SORT completed")
        let numbers = sorted.first?.split(separator: " ").dropFirst(2).compactMap { Int($0) } ?? []
        #expect(numbers.count == count)
        #expect(Set(numbers).count == count)
        await client.disconnect()
    }
}
