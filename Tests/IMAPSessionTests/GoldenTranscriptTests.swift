import Foundation
import Testing

/// Every golden transcript of Tests/golden, replayed in process against a session on each engine (the
/// e2e suite replays the same files against a live server over TLS).
@Suite struct GoldenTranscriptTests {
    static let files = (try? GoldenTranscript.all()) ?? []

    @Test func transcriptsExist() {
        #expect(Self.files.count >= 30)
    }

    @Test(arguments: files, Engine.allCases)
    func transcript(_ file: String, _ engine: Engine) async throws {
        let transcript = try GoldenTranscript(file: file)
        let environment = try await SessionEnvironment(engine: engine)
        let variables = GoldenVariables(
            transcript: transcript.name, user: SessionEnvironment.user, password: SessionEnvironment.password,
            user2: SessionEnvironment.user2, password2: SessionEnvironment.password2)
        let login = transcript.login.map { $0 == "user2" ? SessionEnvironment.user2 : SessionEnvironment.user }
        let runner = TranscriptRunner(client: await environment.client(loggedInAs: login), variables: variables)
        for step in transcript.steps {
            let actual = await runner.run(step)
            let matched = try variables.matches(expected: step.expected, actual: actual)
            let expectedText: String = step.expected.map { "    S: \($0)\n" }.joined()
            let actualText: String = actual.map { "    S: \($0)\n" }.joined()
            #expect(
                matched,
                "\(file):\(step.line): C: \(step.command)\n  expected:\n\(expectedText)  actual:\n\(actualText)")
            if !matched { break }
        }
        if !runner.client.closed { await runner.client.disconnect() }
    }
}

/// Sends a transcript's steps the way the e2e runner does (a literal is announced, its `+` awaited,
/// then sent) and collects each command's response lines.
final class TranscriptRunner {
    let client: SessionClient
    let variables: GoldenVariables
    private var pendingTag: String?
    private var queued: [ResponseLine] = []

    init(client: SessionClient, variables: GoldenVariables) {
        self.client = client
        self.variables = variables
    }

    func run(_ step: GoldenTranscript.Step) async -> [String] {
        let command = variables.substitute(step.command)
        let tag = pendingTag ?? String(command.prefix { $0 != " " })
        var collected: [String] = []
        var pieces = Self.splitLiterals(command)
        let tail = pieces.removeLast().text
        for piece in pieces {
            let data =
                piece.literal.map { Array($0.utf8) }
                ?? Array(step.literalLines.map { variables.substitute($0) + "\r\n" }.joined().utf8)
            await client.send(Array(piece.text.utf8) + Array("{\(data.count)}\r\n".utf8))
            let (lines, outcome) = read(tag)
            collected += lines.dropLast(outcome == .continuation ? 1 : 0)
            guard outcome == .continuation else { return finish(collected + lines.suffix(0), outcome) }
            await client.send(data)
        }
        await client.send(tail + "\r\n")
        let (lines, outcome) = read(tag)
        return finish(collected + lines, outcome)
    }

    private enum Outcome { case tagged, continuation, closed, silent }

    private func finish(_ lines: [String], _ outcome: Outcome) -> [String] {
        switch outcome {
        case .tagged:
            pendingTag = nil
            return lines
        case .continuation:
            return lines
        case .closed:
            pendingTag = nil
            return lines.contains { $0.hasPrefix("* BYE") } ? lines : lines + ["(connection closed)"]
        case .silent:
            return lines + ["(no tagged response)"]
        }
    }

    /// The lines up to `tag`'s tagged response or a continuation request.
    private func read(_ tag: String) -> ([String], Outcome) {
        queued += client.lines()
        var out: [String] = []
        while !queued.isEmpty {
            let line = queued.removeFirst()
            out.append(line.text)
            if line.hasPrefix(tag + " ") { return (out, .tagged) }
            if line.hasPrefix("+") {
                pendingTag = tag
                return (out, .continuation)
            }
        }
        if client.closed { return (out, .closed) }
        return (out, .silent)
    }

    /// `{{literal:TEXT}}` and `{{literal}}` split a command into pieces, each followed by a literal
    /// (`literal` nil: the step's L: lines); the last piece has none.
    static func splitLiterals(_ command: String) -> [(text: String, literal: String?)] {
        var pieces: [(text: String, literal: String?)] = []
        var rest = Substring(command)
        while let open = rest.range(of: "{{literal") {
            let after = rest[open.upperBound...]
            if after.hasPrefix("}}") {
                pieces.append((String(rest[..<open.lowerBound]), nil))
                rest = after.dropFirst(2)
            } else if after.hasPrefix(":"), let close = after.range(of: "}}") {
                pieces.append(
                    (
                        String(rest[..<open.lowerBound]),
                        String(after[after.index(after: after.startIndex)..<close.lowerBound])
                    ))
                rest = after[close.upperBound...]
            } else {
                break
            }
        }
        pieces.append((String(rest), nil))
        return pieces
    }
}

/// The matcher itself: wildcards, alternatives, untagged lines in any order, flag lists as sets.
@Suite struct GoldenMatcherTests {
    let variables = GoldenVariables(transcript: "x", user: "u", password: "p", user2: "v", password2: "q")

    @Test func matching() throws {
        #expect(
            try variables.matches(
                expected: ["* 1 EXISTS", "* FLAGS ({{*}})", "a OK [READ-WRITE] {{*}}"],
                actual: ["* FLAGS (\\Seen)", "* 1 EXISTS", "a OK [READ-WRITE] done"]))
        #expect(try !variables.matches(expected: ["* 1 EXISTS", "a OK {{*}}"], actual: ["* 2 EXISTS", "a OK x"]))
        #expect(try !variables.matches(expected: ["a OK {{*}}"], actual: ["* 1 EXPUNGE", "a OK x"]))
        #expect(try variables.matches(expected: ["a {{NO|BAD}} {{*}}"], actual: ["a BAD nope"]))
        #expect(try !variables.matches(expected: ["a {{NO|BAD}} {{*}}"], actual: ["a OK nope"]))
        #expect(
            try variables.matches(
                expected: ["* 1 FETCH (FLAGS (\\Seen $X))", "a OK"],
                actual: ["* 1 FETCH (FLAGS ($X \\Recent \\Seen))", "a OK"]))
        let mailbox = variables.values["mbox"]!
        #expect(
            try variables.matches(
                expected: ["* LIST () \"/\" {{mbox}}", "a OK {{*}}"], actual: ["* LIST () \"/\" \(mailbox)", "a OK x"]))
    }

    @Test func responseLines() {
        let bytes = Array("* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\n+ go {3}\r\n* 2 EXISTS\r\n* 3 FE".utf8)
        let (first, used) = try! #require(ResponseLine.parse(bytes))
        #expect(first.text == "* 1 FETCH (BODY[] {5}ab\\r\\nc)")
        let (second, usedSecond) = try! #require(ResponseLine.parse(Array(bytes[used...])))
        #expect(second.text == "+ go {3}")
        let rest = Array(bytes[(used + usedSecond)...])
        #expect(ResponseLine.parse(rest)?.0.text == "* 2 EXISTS")
        #expect(ResponseLine.parse(Array(rest.dropFirst(12))) == nil)
    }
}
