import NIOCore
import Testing

@testable import IMAPWire

@Suite struct ChunkingTests {
    static let streams: [String] = [
        Fixtures.valid.joined(),
        "a APPEND x (\\Seen) \" 1-Jan-2020 00:00:00 +0000\" {5}\r\nhello {3+}\r\nabc\r\nb IDLE\r\nDONE\r\nc NOOP\r\n",
        "a LOGIN {9000+}\r\n" + String(repeating: "x", count: 9000) + "\r\nb BOGUS\r\nc SEARCH (((SEEN)))\r\n",
        "a LOGIN {9000}\r\nb LIST \"\" {2}\r\n%%\r\nc APPEND x {2+}\r\nhi bad\r\nd NOOP\r\n",
        "a AUTHENTICATE PLAIN\r\nAGZvbwBiYXI=\r\nb FETCH 1 BODY[]<0.1>\r\n",
        "a APPEND {1}\r\nx {1}\r\ny\r\n\r\nb NOOP\n",
    ]

    @Test(arguments: streams.indices)
    func byteByByteMatchesWhole(index: Int) {
        let input = bytes(Self.streams[index])
        let whole = events(input)
        #expect(!whole.isEmpty)
        #expect(eventsByteByByte(input) == whole)
    }

    @Test(arguments: streams.indices)
    func everyTwoWaySplit(index: Int) {
        let input = bytes(Self.streams[index])
        let whole = events(input)
        let step = max(1, input.count / 600)
        for split in stride(from: 0, through: input.count, by: step) {
            #expect(events(input, chunks: [split]) == whole, "split at \(split)")
        }
    }

    @Test(arguments: streams.indices)
    func randomChunkings(index: Int) {
        let input = bytes(Self.streams[index])
        let whole = events(input)
        var rng = SplitMix(seed: UInt64(index) + 1)
        for _ in 0..<20 {
            var chunks: [Int] = []
            var total = 0
            while total < input.count {
                let size = Int(rng.next() % 64) + 1
                chunks.append(size)
                total += size
            }
            #expect(events(input, chunks: chunks) == whole)
        }
    }

    @Test func rejectedAppendsAlsoChunkIndependently() {
        let input = bytes("a APPEND x {3+}\r\nabc {2+}\r\nde\r\nb APPEND y {2}\r\nc NOOP\r\n")
        let whole = events(input, acceptAppends: false)
        #expect(whole.last == .command(TaggedCommand(tag: "c", command: .noop)))
        #expect(eventsByteByByte(input, acceptAppends: false) == whole)
    }
}

/// A small deterministic generator for reproducible "random" chunkings.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
