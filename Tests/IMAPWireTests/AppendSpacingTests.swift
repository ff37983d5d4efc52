import NIOCore
import Testing

@testable import IMAPWire

/// APPEND as real clients send it: extra spaces between the parts (Python's imapclient puts two between
/// messages that carry no flags or date), and error texts that say which part is wrong.
@Suite struct AppendSpacingTests {
    static let twoSpaces = "a APPEND x {2+}\r\nhi  {3+}\r\nabc\r\nb NOOP\r\n"
    static let expected: [FramerEvent] = [
        .appendStart(tag: "a", mailbox: "x"),
        .appendMessageBegin(flags: [], internalDate: nil, size: 2, synchronizing: false, binary: false),
        .appendMessageBytes(ByteBuffer(string: "hi")), .appendMessageEnd,
        .appendMessageBegin(flags: [], internalDate: nil, size: 3, synchronizing: false, binary: false),
        .appendMessageBytes(ByteBuffer(string: "abc")), .appendMessageEnd, .appendEnd,
        .command(TaggedCommand(tag: "b", command: .noop)),
    ]

    @Test func twoSpacesBetweenMessages() {
        #expect(events(Self.twoSpaces) == Self.expected)
    }

    /// Every split of the input into two chunks, and byte by byte, gives the same events (chunk
    /// boundaries only change where the message bytes are cut).
    @Test func twoSpacesInEveryChunking() {
        let input = Array(Self.twoSpaces.utf8)
        for split in 1..<input.count {
            #expect(merged(events(input, chunks: [split])) == Self.expected, "split at \(split)")
        }
        #expect(merged(eventsByteByByte(input)) == Self.expected)
    }

    @Test func extraSpacesAfterMailboxFlagsAndDate() {
        let input = "a APPEND x  (\\Seen)  \" 7-Feb-1994 21:52:25 -0800\"  {2+}\r\nhi   (\\Draft)   {1+}\r\nz\r\n"
        let date = InternalDate(year: 1994, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480)
        #expect(
            events(input) == [
                .appendStart(tag: "a", mailbox: "x"),
                .appendMessageBegin(flags: [.seen], internalDate: date, size: 2, synchronizing: false, binary: false),
                .appendMessageBytes(ByteBuffer(string: "hi")), .appendMessageEnd,
                .appendMessageBegin(flags: [.draft], internalDate: nil, size: 1, synchronizing: false, binary: false),
                .appendMessageBytes(ByteBuffer(string: "z")), .appendMessageEnd, .appendEnd,
            ])
    }

    @Test func errorTextsNameTheWrongPart() {
        let afterFlags = events("a APPEND x {2+}\r\nhi (\\Seen)\" 7-Feb-1994 21:52:25 -0800\" {1+}\r\nz\r\nb NOOP\r\n")
        #expect(afterFlags.contains(.appendError(tag: "a", message: "APPEND: expected a space after the flag list")))
        #expect(afterFlags.last == .command(TaggedCommand(tag: "b", command: .noop)))
        let noSpace = events("a APPEND x {2+}\r\nhi{1+}\r\nz\r\nb NOOP\r\n")
        #expect(
            noSpace.contains(.appendError(tag: "a", message: "invalid APPEND syntax"))
                || noSpace.contains(.appendError(tag: "a", message: "APPEND: expected a space before the message")))
        let junk = events("a APPEND x {2+}\r\nhi junk {1+}\r\nz\r\nb NOOP\r\n")
        #expect(
            junk.contains(
                .appendError(tag: "a", message: "APPEND: expected a flag list, a date-time or the message literal")))
        #expect(
            events("a APPEND x \"bad date\" {2}\r\nhi\r\n").last
                == .commandError(tag: "a", message: "APPEND: invalid date-time: expected digit"))
        #expect(
            events("a APPEND x (\\Seen {2}\r\nhi\r\n").last
                == .commandError(tag: "a", message: "APPEND: invalid flag list: expected atom"))
    }

    /// Adjacent message-byte events joined (their cut points depend on the chunking).
    private func merged(_ events: [FramerEvent]) -> [FramerEvent] {
        var out: [FramerEvent] = []
        for event in events {
            if case .appendMessageBytes(let more) = event, case .appendMessageBytes(var bytes)? = out.last {
                var extra = more
                bytes.writeBuffer(&extra)
                out[out.count - 1] = .appendMessageBytes(bytes)
            } else {
                out.append(event)
            }
        }
        return out
    }
}
