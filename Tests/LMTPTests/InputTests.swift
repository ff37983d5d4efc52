import LMTP
import Testing

@Suite struct InputTests {
    /// Feeds `input` in chunks of `size`, entering DATA after each line `DATA`; returns the events
    /// with consecutive data merged.
    static func events(_ input: [UInt8], chunk size: Int, maxLine: Int = 100) -> [LMTPInput.Event] {
        var framer = LMTPInput(maxLineLength: maxLine)
        var out: [LMTPInput.Event] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + size)
            framer.append(input[offset..<end])
            offset = end
            while let event = framer.next() {
                if case .data(let bytes) = event, case .data(let previous)? = out.last {
                    out[out.count - 1] = .data(previous + bytes)
                } else {
                    out.append(event)
                }
                if event == .line(Array("DATA".utf8)) { framer.beginData() }
            }
        }
        return out
    }

    static let session = Array(
        "LHLO x\r\nDATA\r\nSubject: a\r\n\r\n..leading dot\r\n.\r\nnot the end.\r\n\nbare\nlf\n.\n\r\n.\r\nQUIT\r\n"
            .utf8)

    static let expected: [LMTPInput.Event] = [
        .line(Array("LHLO x".utf8)), .line(Array("DATA".utf8)),
        .data(Array("Subject: a\r\n\r\n.leading dot\r\n".utf8)), .dataEnd,
        .line(Array("not the end.".utf8)), .line([]), .line(Array("bare".utf8)), .line(Array("lf".utf8)),
        .line(Array(".".utf8)), .line([]), .line(Array(".".utf8)), .line(Array("QUIT".utf8)),
    ]

    @Test func everyChunking() {
        for size in 1...Self.session.count {
            #expect(Self.events(Self.session, chunk: size) == Self.expected, "chunk size \(size)")
        }
    }

    @Test func bareLFNeverEndsData() {
        let input = Array("DATA\r\na\n.\nb\r\n.\r\n".utf8)
        for size in 1...input.count {
            #expect(
                Self.events(input, chunk: size) == [
                    .line(Array("DATA".utf8)), .data(Array("a\n.\nb\r\n".utf8)), .dataEnd,
                ])
        }
    }

    @Test func dotCRWithoutLFIsStuffing() {
        let input = Array("DATA\r\n.\rx\r\n.\r\n".utf8)
        for size in 1...input.count {
            #expect(
                Self.events(input, chunk: size) == [.line(Array("DATA".utf8)), .data(Array("\rx\r\n".utf8)), .dataEnd])
        }
    }

    @Test func emptyMessage() {
        let input = Array("DATA\r\n.\r\nNOOP\r\n".utf8)
        for size in 1...input.count {
            #expect(
                Self.events(input, chunk: size) == [.line(Array("DATA".utf8)), .dataEnd, .line(Array("NOOP".utf8))])
        }
    }

    @Test func longLinesAreSkippedOnce() {
        let long = Array(repeating: UInt8(ascii: "x"), count: 300)
        let input = Array("NOOP\r\n".utf8) + long + Array("\r\nQUIT\r\n".utf8)
        for size in [1, 7, 64, 101, 1000] {
            #expect(
                Self.events(input, chunk: size) == [
                    .line(Array("NOOP".utf8)), .lineTooLong, .line(Array("QUIT".utf8)),
                ],
                "chunk size \(size)")
        }
    }

    @Test func dataLinesHaveNoLengthLimitAndChunksAreBounded() {
        let line = Array(repeating: UInt8(ascii: "y"), count: 3 * LMTPInput.maxDataChunk)
        var framer = LMTPInput(maxLineLength: 100)
        framer.beginData()
        framer.append(line + [13, 10, UInt8(ascii: "."), 13, 10])
        var total: [UInt8] = []
        var ended = false
        while let event = framer.next() {
            switch event {
            case .data(let bytes):
                #expect(bytes.count <= LMTPInput.maxDataChunk)
                total += bytes
            case .dataEnd: ended = true
            default: Issue.record("unexpected \(event)")
            }
        }
        #expect(ended)
        #expect(total == line + [13, 10])
    }
}
