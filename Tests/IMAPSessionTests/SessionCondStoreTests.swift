import Foundation
import Testing

/// CONDSTORE values (RFC 7162): per-message MODSEQ in FETCH on every path, and the MODSEQ of an
/// ESEARCH answer (RFC 7162 §3.1.5, RFC 4731 §3.2).
@Suite struct SessionCondStoreTests {
    /// A session with INBOX selected under CONDSTORE, three messages, the first and last flagged
    /// afterwards (so the mailbox's highest MODSEQ is the third message's).
    func setUp(_ engine: Engine) async throws -> (SessionEnvironment, SessionClient) {
        let environment = try await SessionEnvironment(engine: engine)
        let client = await environment.client(loggedInAs: SessionEnvironment.user)
        for n in 1...3 { await client.append("INBOX", SessionClient.message("m\(n)")) }
        await client.command("s SELECT INBOX (CONDSTORE)")
        await client.command("f1 STORE 1 +FLAGS (\\Flagged)")
        await client.command("f3 STORE 3 +FLAGS (\\Flagged)")
        return (environment, client)
    }

    /// `n` of ` MODSEQ (n)` in a line.
    static func modSeq(_ line: String) -> UInt64? {
        guard let range = line.range(of: "MODSEQ (") else { return nil }
        return UInt64(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// Each message's MODSEQ by sequence number, from `FETCH 1:* (MODSEQ)`.
    static func modSeqs(_ client: SessionClient) async -> [UInt64] {
        await client.command("m FETCH 1:* (MODSEQ)").compactMap(modSeq)
    }

    @Test(arguments: Engine.allCases)
    func esearchModSeqIsThatOfTheReturnedMessages(_ engine: Engine) async throws {
        let (environment, client) = try await setUp(engine)
        let values = await Self.modSeqs(client)
        try #require(values.count == 3)
        #expect(values[2] > values[1] && values[0] > values[1])
        let min = await client.command("a SEARCH RETURN (MIN) MODSEQ 1")
        #expect(min.contains("* ESEARCH (TAG \"a\") MIN 1 MODSEQ \(values[0])"))
        let max = await client.command("b SEARCH RETURN (MAX) MODSEQ 1")
        #expect(max.contains("* ESEARCH (TAG \"b\") MAX 3 MODSEQ \(values[2])"))
        let both = await client.command("c UID SEARCH RETURN (MIN MAX) 1:2 MODSEQ 1")
        #expect(both.contains("* ESEARCH (TAG \"c\") UID MIN 1 MAX 2 MODSEQ \(Swift.max(values[0], values[1]))"))
        let count = await client.command("d SEARCH RETURN (COUNT) 2:3 MODSEQ 1")
        #expect(count.contains("* ESEARCH (TAG \"d\") COUNT 2 MODSEQ \(values[2])"))
        let all = await client.command("e SEARCH RETURN (MIN ALL) 1:2 MODSEQ 1")
        #expect(all.contains("* ESEARCH (TAG \"e\") MIN 1 ALL 1:2 MODSEQ \(Swift.max(values[0], values[1]))"))
        let plain = await client.command("g SEARCH 2 MODSEQ 1")
        #expect(plain.contains("* SEARCH 2 (MODSEQ \(values[1]))"))
        let none = await client.command("h SEARCH RETURN (MIN) MODSEQ \(values[2] + 1)")
        #expect(none.contains("* ESEARCH (TAG \"h\")"))
        await client.disconnect()
        withExtendedLifetime(environment) {}
    }

    /// The same MODSEQ whichever way FETCH is answered (flags only, with the message's bytes, with its
    /// structure), equal to what STORE reported, and up to date after another session's change.
    @Test(arguments: Engine.allCases)
    func fetchModSeqIsRightOnEveryPath(_ engine: Engine) async throws {
        let (environment, client) = try await setUp(engine)
        let other = await environment.client(loggedInAs: SessionEnvironment.user)
        await other.command("o ENABLE CONDSTORE")
        await other.command("s SELECT INBOX")
        let stored = await other.command("t STORE 2 +FLAGS (kwOther)")
        let storedModSeq = try #require(stored.compactMap(Self.modSeq).first)
        let flagsOnly = await client.command("a FETCH 2 (FLAGS MODSEQ)")
        let withBytes = await client.command("b FETCH 2 (MODSEQ BODY.PEEK[])")
        let withStructure = await client.command("c FETCH 2 (MODSEQ ENVELOPE)")
        let withHeader = await client.command("d FETCH 2 (MODSEQ BODY.PEEK[HEADER])")
        for response in [flagsOnly, withBytes, withStructure, withHeader] {
            let values = response.filter { $0.hasPrefix("* 2 FETCH") }.compactMap(Self.modSeq)
            #expect(values.last == storedModSeq, "\(response)")
        }
        let status = await other.command("u STATUS INBOX (HIGHESTMODSEQ)")
        let highest = status.first { $0.hasPrefix("* STATUS") }.flatMap { line in
            line.range(of: "HIGHESTMODSEQ ").map { UInt64(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
        #expect(highest == storedModSeq)
        // The implicit \Seen of BODY[] reports the new MODSEQ, and later FETCHes agree.
        let seen = await client.command("e FETCH 1 (BODY[])")
        let seenModSeq = try #require(seen.compactMap(Self.modSeq).last)
        #expect(seenModSeq > storedModSeq)
        #expect(await client.command("f FETCH 1 (MODSEQ)").contains("* 1 FETCH (MODSEQ (\(seenModSeq)))"))
        await other.disconnect()
        await client.disconnect()
    }
}
