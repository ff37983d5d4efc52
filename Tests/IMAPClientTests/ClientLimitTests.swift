import NIOCore
import Testing

@testable import IMAPClient

/// Each `ClientLimits` limit: at the limit it passes, one beyond it fails with its error, in any chunking.
@Suite struct ClientLimitTests {
    @Test func lineLength() throws {
        let limits = ClientLimits(maxLineLength: 32)
        let ok = Array(("* OK " + String(repeating: "a", count: 27) + "\r\n").utf8)
        #expect(try frame(ok, chunks: [], limits: limits).count == 1)
        let long = Array(("* OK " + String(repeating: "a", count: 28) + "\r\n").utf8)
        for chunks in everyChunking(long) {
            #expect(throws: FramingError.lineTooLong(limit: 32)) { _ = try frame(long, chunks: chunks, limits: limits) }
        }
    }

    @Test func endlessLineFailsWithoutGrowing() throws {
        var framer = ResponseFramer(limits: ClientLimits(maxLineLength: 1024))
        var thrown: (any Error)?
        for _ in 0..<100 {
            var buffer = ByteBuffer(repeating: UInt8(ascii: "a"), count: 100)
            do {
                _ = try framer.next(&buffer)
            } catch {
                thrown = error
                break
            }
        }
        #expect(thrown as? FramingError == .lineTooLong(limit: 1024))
    }

    @Test func inlineLiteralWithoutSink() throws {
        let limits = ClientLimits(maxInlineLiteral: 10)
        let fits = Array("* LIST () \"/\" {10}\r\n0123456789\r\n".utf8)
        #expect(try frame(fits, chunks: [], limits: limits).count == 1)
        let over = Array("* LIST () \"/\" {11}\r\n01234567890\r\n".utf8)
        #expect(throws: FramingError.literalTooLarge(size: 11, limit: 10)) {
            _ = try frame(over, chunks: [], limits: limits)
        }
    }

    @Test func literalBeyondEverySink() throws {
        let limits = ClientLimits(maxInlineLiteral: 4, maxLiteral: 100)
        let announced = Array("* 1 FETCH (BODY[] {101}\r\n".utf8)
        #expect(throws: FramingError.literalTooLarge(size: 101, limit: 100)) {
            _ = try frame(announced, chunks: [], limits: limits) { _ in CollectingSink() }
        }
        let huge = Array("* 1 FETCH (BODY[] {4294967296000}\r\n".utf8)
        #expect(throws: FramingError.literalTooLarge(size: 4_294_967_296_000, limit: 100)) {
            _ = try frame(huge, chunks: [], limits: limits) { _ in CollectingSink() }
        }
    }

    @Test func responseSize() throws {
        let limits = ClientLimits(maxResponseSize: 38)
        let fits = Array("* LIST () \"/\" {20}\r\n01234567890123456789\r\n".utf8)
        #expect(try frame(fits, chunks: [], limits: limits).count == 1)
        let over = Array("* LIST () \"/\" {21}\r\n012345678901234567890\r\n".utf8)
        #expect(throws: FramingError.responseTooLarge(limit: 38)) { _ = try frame(over, chunks: [], limits: limits) }
    }

    @Test func literalsPerResponse() throws {
        let limits = ClientLimits(maxLiteralsPerResponse: 2)
        let two = Array("* X {1}\r\na {1}\r\nb\r\n".utf8)
        #expect(try frame(two, chunks: [], limits: limits).first?.literals.count == 2)
        let three = Array("* X {1}\r\na {1}\r\nb {1}\r\nc\r\n".utf8)
        #expect(throws: FramingError.tooManyLiterals(limit: 2)) { _ = try frame(three, chunks: [], limits: limits) }
    }

    @Test func manySmallResponsesStayBounded() throws {
        var framer = ResponseFramer()
        var count = 0
        for _ in 0..<10_000 {
            var buffer = ByteBuffer(string: "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n")
            while try framer.next(&buffer) != nil { count += 1 }
        }
        #expect(count == 10_000)
    }
}
