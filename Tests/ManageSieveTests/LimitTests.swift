import ManageSieve
import Testing

/// Every bound of `ManageSieveLimits` at its value and one past it, with what the input holds meanwhile.
@Suite struct LimitTests {
    @Test func longestLineAndOnePast() {
        var limits = ManageSieveLimits()
        limits.maxLineLength = 64
        let fits = "NOOP \"" + String(repeating: "a", count: 64 - 9) + "\"\r\n"
        #expect(fits.utf8.count == 64)
        #expect(InputTests.feed(Array(fits.utf8), chunk: 7, limits: limits).count == 1)
        if case .tokens = InputTests.feed(Array(fits.utf8), chunk: 64, limits: limits).first {
        } else {
            Issue.record("a line of the largest length is read")
        }
        let past = "NOOP \"" + String(repeating: "a", count: 64 - 8) + "\"\r\nNOOP\r\n"
        #expect(
            InputTests.feed(Array(past.utf8), chunk: 5, limits: limits) == [.error(.lineTooLong)],
            "fatal: nothing after")
        #expect(ManageSieveInputError.lineTooLong.isFatal)
        #expect(!ManageSieveInputError.literalTooLarge.isFatal)
    }

    @Test func endlessLineIsBounded() {
        var input = ManageSieveInput(limits: ManageSieveLimits())
        var lines: [ManageSieveLine] = []
        for _ in 0..<1000 {
            input.append([UInt8](repeating: 0x41, count: 1000))
            while let line = input.next() { lines.append(line) }
            #expect(input.bufferedCount <= ManageSieveLimits.defaultMaxLineLength + 1000)
        }
        #expect(lines == [.error(.lineTooLong)])
    }

    @Test func quotedStringOf1024AndOnePast() {
        let fits = "NOOP \"" + String(repeating: "q", count: ManageSieveLimits.maxQuotedLength) + "\"\r\n"
        #expect(
            InputTests.lines(fits) == [
                .tokens([.atom("NOOP"), .string([UInt8](repeating: 0x71, count: ManageSieveLimits.maxQuotedLength))])
            ])
        let past = "NOOP \"" + String(repeating: "q", count: ManageSieveLimits.maxQuotedLength + 1) + "\"\r\n"
        #expect(
            InputTests.feed(Array(past.utf8), chunk: 100, limits: ManageSieveLimits()) == [
                .error(.syntax("quoted string longer than 1024 octets"))
            ])
    }

    @Test func atomOf1024AndOnePast() {
        let fits = String(repeating: "A", count: ManageSieveLimits.maxAtomLength) + "\r\n"
        #expect(InputTests.feed(Array(fits.utf8), chunk: 99, limits: ManageSieveLimits()).count == 1)
        let past = String(repeating: "A", count: ManageSieveLimits.maxAtomLength + 1) + "\r\nNOOP\r\n"
        #expect(
            InputTests.feed(Array(past.utf8), chunk: 99, limits: ManageSieveLimits()) == [
                .error(.syntax("atom too long")), .tokens([.atom("NOOP")]),
            ])
    }

    @Test func argumentsAtTheBoundAndOnePast() {
        var limits = ManageSieveLimits()
        limits.maxArguments = 3
        #expect(InputTests.lines("A B C\r\n", limits: limits) == [.tokens([.atom("A"), .atom("B"), .atom("C")])])
        #expect(
            InputTests.lines("A B C D {2+}\r\nxx\r\nE\r\n", limits: limits) == [
                .error(.tooManyArguments), .tokens([.atom("E")]),
            ])
    }

    @Test func largestLiteralAndOnePast() {
        var limits = ManageSieveLimits()
        limits.maxScriptSize = 20_000
        let size = limits.maxLiteralSize
        let fits = Array("PUTSCRIPT \"s\" {\(size)+}\r\n".utf8) + [UInt8](repeating: 0x61, count: size) + [13, 10]
        #expect(InputTests.feed(fits, chunk: 333, limits: limits).count == 1)
        // One past: skipped without being held, reported once, the input back in step.
        var input = ManageSieveInput(limits: limits)
        input.append(Array("PUTSCRIPT \"s\" {\(size + 1)+}\r\n".utf8))
        #expect(input.next() == nil)
        for _ in 0..<((size + 1) / 1000) {
            input.append([UInt8](repeating: 0x61, count: 1000))
            #expect(input.next() == nil)
            #expect(input.bufferedCount < 2000)
        }
        input.append([UInt8](repeating: 0x61, count: (size + 1) % 1000) + Array("\r\nNOOP\r\n".utf8))
        #expect(input.next() == .error(.literalTooLarge))
        #expect(input.next() == .tokens([.atom("NOOP")]))
    }

    @Test func defaults() {
        let limits = ManageSieveLimits()
        #expect(limits.maxScriptSize == 64 * 1024)
        #expect(limits.maxScripts == 25)
        #expect(limits.maxLiteralSize == 64 * 1024)
    }
}
