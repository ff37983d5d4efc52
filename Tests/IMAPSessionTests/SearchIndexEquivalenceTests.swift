import Foundation
import IMAPWire
import MIME
import MailStore
import Testing

@testable import IMAPSession

/// SEARCH with the SQLite engine's full-text index answers exactly what SEARCH without any index
/// answers (the memory engine keeps none): on the whole fidelity corpus (Tests/mime-diff/messages),
/// for fixed and randomized queries, with the index partly built and then complete.
@Suite struct SearchIndexEquivalenceTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mime-diff/messages")

    static func messages() throws -> [[UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".eml") }
            .sorted()
        return try names.map { [UInt8](try Data(contentsOf: corpus.appendingPathComponent($0))) }
    }

    /// A deterministic generator (SplitMix64), so that a failure can be replayed.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One search: IMAP search keys before a string sent as a literal (`key` ends with the key that
    /// takes it).
    struct Query: CustomStringConvertible {
        var key: String
        var value: [UInt8]
        var description: String { "\(key) \(String(decoding: value, as: UTF8.self).debugDescription)" }
    }

    static let fixed: [Query] = [
        ("TEXT", "the"), ("TEXT", "attachment"), ("BODY", "http"), ("SUBJECT", "test"), ("FROM", "example"),
        ("TO", ".com"), ("CC", "@"), ("BCC", "nobody"), ("HEADER Content-Type", "multipart"),
        ("HEADER Message-ID", "@"), ("TEXT", "xyzzy-nowhere"), ("BODY", "ab"), ("SUBJECT", "Re:"),
        ("TEXT", "Grüße"), ("TEXT", "日本"), ("BODY", "ünï"), ("OR SUBJECT x TEXT", "mail"),
        ("NOT TEXT", "the"), ("SUBJECT a TEXT", "message"), ("HEADER X-Mailer", ""),
    ].map { Query(key: $0.0, value: Array($0.1.utf8)) }

    /// Strings taken from the corpus's decoded headers and texts (3 to 12 characters, case changed at
    /// random), each under a key that reads where it was taken from, or (one in four) any key.
    static func randomQueries(_ messages: [[UInt8]], count: Int) -> [Query] {
        var random = Random(state: 0x5EA2_C41D)
        let anyKeys = ["TEXT", "BODY", "SUBJECT", "FROM", "TO", "HEADER Subject", "HEADER Content-Type"]
        var queries: [Query] = []
        while queries.count < count {
            let content = MIMEMessage(messages[Int.random(in: 0..<messages.count, using: &random)])
            var sources: [(keys: [String], text: String)] = content.textParts.map {
                (["BODY", "TEXT"], content.decodedText(of: $0))
            }
            sources.append((["TEXT"], SearchEvaluator.decodedHeader(content)))
            sources.append((["FROM"], content.searchableAddresses("From")))
            sources.append((["TO"], content.searchableAddresses("To")))
            sources.append((["SUBJECT", "HEADER Subject"], content.decodedHeaderValue("Subject") ?? ""))
            let (keys, text) = sources[Int.random(in: 0..<sources.count, using: &random)]
            let source = Array(text)
            guard source.count >= 3 else { continue }
            let length = Int.random(in: 3...min(12, source.count), using: &random)
            let start = Int.random(in: 0...(source.count - length), using: &random)
            var piece = String(source[start..<(start + length)])
            if Bool.random(using: &random) { piece = piece.uppercased() }
            let value = Array(piece.utf8).filter { $0 != 0 && $0 != 13 && $0 != 10 }
            guard !value.isEmpty else { continue }
            let choice = Int.random(in: 0..<4, using: &random) == 0 ? anyKeys : keys
            queries.append(Query(key: choice[Int.random(in: 0..<choice.count, using: &random)], value: value))
        }
        return queries
    }

    func load(_ environment: SessionEnvironment, _ messages: [[UInt8]]) async -> SessionClient {
        let client = await environment.client(loggedInAs: SessionEnvironment.user)
        for (index, message) in messages.enumerated() {
            await client.send(
                Array("A\(index) APPEND INBOX {\(message.count)+}\r\n".utf8) + message + Array("\r\n".utf8))
            let answer = client.lines().map(\.text)
            #expect(answer.last?.hasPrefix("A\(index) OK") == true, "\(answer)")
        }
        await client.command("S SELECT INBOX")
        return client
    }

    /// The `* SEARCH` line and the tagged response.
    func search(_ client: SessionClient, _ query: Query) async -> [String] {
        await client.send(
            Array("Q UID SEARCH CHARSET UTF-8 \(query.key) {\(query.value.count)+}\r\n".utf8) + query.value
                + Array("\r\n".utf8))
        return client.lines().map(\.text)
    }

    @Test func indexedSearchEqualsUnindexedSearch() async throws {
        let messages = try Self.messages()
        #expect(messages.count >= 300)
        let queries = Self.fixed + Self.randomQueries(messages, count: 200)
        let plain = try await SessionEnvironment(engine: .memory)
        let indexed = try await SessionEnvironment(engine: .sqlite)
        let reference = await load(plain, messages)
        let client = await load(indexed, messages)
        let store = indexed.store
        let account = try #require(try await store.credentials(accountName: SessionEnvironment.user)).0
        let inbox = try #require(try await store.mailbox(account: account, name: "INBOX")).id

        var expected: [String: [String]] = [:]
        var found = 0
        for query in queries {
            let answer = await search(reference, query)
            #expect(answer.last == "Q OK UID SEARCH completed", "\(query): \(answer)")
            expected[query.description] = answer
            if answer.first.map({ $0.count > "* SEARCH".count }) == true { found += 1 }
        }
        // Most queries find something: the comparison is not between empty answers.
        #expect(found * 2 > queries.count, "\(found) of \(queries.count) queries found messages")

        // Partly indexed (about half the messages), then complete.
        var indexedNow = try await store.indexPending(
            account: account, limit: messages.count / 2, maker: SearchDocument.maker)
        #expect(indexedNow > 0 && indexedNow < messages.count)
        for round in 0..<2 {
            var narrowed = 0
            for query in queries {
                let answer = await search(client, query)
                #expect(answer == expected[query.description], "round \(round): \(query)")
                let terms = SearchDocument.requiredTerms(.text(query.value))
                let candidates = try await store.searchCandidates(
                    account: account, mailbox: inbox, uids: UIDSet(ranges: [1...UID.max]), terms: terms)
                if let candidates, candidates.count < messages.count { narrowed += 1 }
            }
            // The index did narrow (most strings are at least three characters long).
            #expect(narrowed * 2 > queries.count, "round \(round): \(narrowed) narrowed")
            while true {
                let more = try await store.indexPending(account: account, limit: 64, maker: SearchDocument.maker)
                if more == 0 { break }
                indexedNow += more
            }
            #expect(indexedNow == messages.count)
        }
        await reference.disconnect()
        await client.disconnect()
    }
}
