import NIOCore
import Testing

@testable import IMAPClient

@Suite struct ResponseFramerTests {
    static let stream = Array(
        ("* OK [CAPABILITY IMAP4rev1] ready\r\n"
            + "* 1 FETCH (UID 7 BODY[] {12}\r\nHello\r\nWorld FLAGS (\\Seen))\r\n"
            + "* LIST () \"/\" {4}\r\nab{c\r\n"
            + "* 2 FETCH (BODY[] {0}\r\n)\r\n"
            + "A1 OK done\r\n").utf8)

    @Test func everyChunkingGivesTheSameResponses() throws {
        let whole = try frame(Self.stream, chunks: [])
        #expect(whole.count == 5)
        #expect(whole[1].lines.count == 2)
        #expect(literalBytes(whole[1].literals[0]) == Array("Hello\r\nWorld".utf8))
        #expect(literalBytes(whole[3].literals[0]) == [])
        for chunks in everyChunking(Self.stream) {
            let responses = try frame(Self.stream, chunks: chunks)
            #expect(responses.map(\.lines) == whole.map(\.lines), "chunks \(chunks)")
            #expect(responses.map { $0.literals.map(literalBytes) } == whole.map { $0.literals.map(literalBytes) })
        }
    }

    @Test func largeLiteralsGoToTheSinkInEveryChunking() throws {
        let body = Array(repeating: UInt8(ascii: "x"), count: 40) + Array("\r\n}{9}\r\n".utf8)
        let input = Array("* 3 FETCH (UID 9 BODY[] {\(body.count)}\r\n".utf8) + body + Array(")\r\n".utf8)
        let limits = ClientLimits(maxInlineLiteral: 8)
        for chunks in everyChunking(input) {
            var sinks: [CollectingSink] = []
            let responses = try frame(input, chunks: chunks, limits: limits) { size in
                #expect(size == body.count)
                let sink = CollectingSink()
                sinks.append(sink)
                return sink
            }
            #expect(responses.count == 1)
            #expect(sinks.count == 1)
            #expect(sinks.first?.bytes == body)
            guard case .sunk(_, let size) = responses[0].literals[0] else {
                Issue.record("literal kept in memory")
                return
            }
            #expect(size == body.count)
        }
    }

    @Test func bareLFEndsALineToo() throws {
        let responses = try frame(Array("* OK hi\nA1 OK done\r\n".utf8), chunks: [])
        #expect(responses.map(\.lines) == [[Array("* OK hi".utf8)], [Array("A1 OK done".utf8)]])
    }

    @Test func braceNotAtTheEndIsText() throws {
        #expect(try ResponseFramer.literalAnnouncement(Array("* OK {5} later".utf8)) == nil)
        #expect(try ResponseFramer.literalAnnouncement(Array("* OK {}".utf8)) == nil)
        #expect(try ResponseFramer.literalAnnouncement(Array("* OK {x}".utf8)) == nil)
        #expect(try ResponseFramer.literalAnnouncement(Array("* OK ~{5}".utf8)) == 5)
        #expect(throws: FramingError.badLiteralSize) {
            try ResponseFramer.literalAnnouncement(Array("* OK {9999999999999999999999}".utf8))
        }
    }

    @Test func aSinkErrorStopsFraming() throws {
        let input = Array("* 1 FETCH (BODY[] {20}\r\n01234567890123456789)\r\n".utf8)
        #expect(throws: RefusingSink.Full.self) {
            _ = try frame(input, chunks: [], limits: ClientLimits(maxInlineLiteral: 4)) { _ in RefusingSink(limit: 10) }
        }
    }
}
