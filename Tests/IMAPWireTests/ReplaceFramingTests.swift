import NIOCore
import Testing

@testable import IMAPWire

/// replace = "REPLACE" SP seq-number SP mailbox append-message; uid-replace = "UID" SP replace
/// (RFC 8508 §5): streamed by the framer like APPEND, with exactly one message.
@Suite struct ReplaceFramingTests {
    static let message = "Subject: draft\r\n\r\nHello\r\n"

    static func begin(flags: [Flag] = [], synchronizing: Bool = false) -> FramerEvent {
        .appendMessageBegin(
            flags: flags, internalDate: nil, size: message.utf8.count, synchronizing: synchronizing, binary: false)
    }

    @Test func replaceAndUIDReplace() {
        let n = Self.message.utf8.count
        #expect(
            events("A003 REPLACE 4 Drafts (\\Seen \\Draft) {\(n)+}\r\n\(Self.message)\r\nb NOOP\r\n") == [
                .replaceStart(tag: "A003", target: 4, uid: false, mailbox: "Drafts"),
                Self.begin(flags: [.seen, .draft]), .appendMessageBytes(ByteBuffer(string: Self.message)),
                .appendMessageEnd, .appendEnd, .command(TaggedCommand(tag: "b", command: .noop)),
            ])
        #expect(
            events("B004 uid replace 2000 \"My Drafts\" {\(n)}\r\n\(Self.message)\r\n") == [
                .replaceStart(tag: "B004", target: 2000, uid: true, mailbox: "My Drafts"),
                Self.begin(synchronizing: true), .continuationRequest,
                .appendMessageBytes(ByteBuffer(string: Self.message)), .appendMessageEnd, .appendEnd,
            ])
    }

    @Test func everyChunkingGivesTheSameEvents() {
        let input = bytes(
            "a UID REPLACE 7 INBOX (\\Draft) {\(Self.message.utf8.count)+}\r\n\(Self.message)\r\nb NOOP\r\n")
        let whole = events(input)
        #expect(whole.first == .replaceStart(tag: "a", target: 7, uid: true, mailbox: "INBOX"))
        for split in 0...input.count {
            #expect(events(input, chunks: [split]) == whole, "split at \(split)")
        }
        #expect(eventsByteByByte(input) == whole)
    }

    /// MULTIAPPEND's further messages are not part of REPLACE.
    @Test func aSecondMessageIsRefused() {
        let all = events("a REPLACE 1 INBOX {2+}\r\nhi {2+}\r\nho\r\nb NOOP\r\n")
        #expect(all.contains(.appendError(tag: "a", message: "REPLACE takes exactly one message")))
        #expect(all.last == .command(TaggedCommand(tag: "b", command: .noop)))
    }

    @Test func malformedReplaceSaysWhatIsWrong() {
        #expect(expectError("a REPLACE\r\n") == "REPLACE: expected a space and a message number")
        #expect(expectError("a REPLACE 0 INBOX {1+}\r\nx\r\n") == "REPLACE: expected a space and a message number")
        #expect(expectError("a REPLACE x INBOX\r\n") == "REPLACE: expected a space and a message number")
        #expect(expectError("a REPLACE 1 INBOX\r\n") == "REPLACE needs a message literal")
        #expect(expectError("a UID REPLACE 1\r\n") == "REPLACE: expected a space and a mailbox name")
        #expect(expectError("a REPLACE 1 INBOX (\\Bogus\r\n")?.hasPrefix("REPLACE: invalid flag list") == true)
    }
}
