import NIOCore
import Testing

@testable import IMAPWire

@Suite struct AppendTests {
    let message = "From: a@b\r\nSubject: hi\r\n\r\nbody\r\n"

    @Test func simpleAppend() {
        let input = "a APPEND INBOX {\(message.utf8.count)}\r\n\(message)\r\n"
        #expect(
            events(input) == [
                .appendStart(tag: "a", mailbox: "INBOX"),
                .appendMessageBegin(
                    flags: [], internalDate: nil, size: message.utf8.count, synchronizing: true, binary: false),
                .continuationRequest, .appendMessageBytes(ByteBuffer(string: message)), .appendMessageEnd, .appendEnd,
            ])
    }

    @Test func flagsDateAndLiteralPlus() {
        let input =
            "A3 append \"Sent Items\" (\\Seen $Work) \" 7-Feb-1994 21:52:25 -0800\" {5+}\r\nhello\r\nA4 NOOP\r\n"
        let date = InternalDate(year: 1994, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480)
        #expect(
            events(input) == [
                .appendStart(tag: "A3", mailbox: "Sent Items"),
                .appendMessageBegin(
                    flags: [.seen, .keyword("$Work")], internalDate: date, size: 5, synchronizing: false, binary: false),
                .appendMessageBytes(ByteBuffer(string: "hello")), .appendMessageEnd, .appendEnd,
                .command(TaggedCommand(tag: "A4", command: .noop)),
            ])
    }

    @Test func mailboxAsLiteral() {
        let input = "a APPEND {5}\r\nINBOX {2}\r\nhi\r\n"
        #expect(
            events(input) == [
                .continuationRequest, .appendStart(tag: "a", mailbox: "INBOX"),
                .appendMessageBegin(flags: [], internalDate: nil, size: 2, synchronizing: true, binary: false),
                .continuationRequest, .appendMessageBytes(ByteBuffer(string: "hi")), .appendMessageEnd, .appendEnd,
            ])
    }

    @Test func binaryLiteral8() {
        let input: [UInt8] = bytes("a APPEND x ~{3}\r\n") + [0, 1, 2] + bytes("\r\n")
        #expect(
            events(input) == [
                .appendStart(tag: "a", mailbox: "x"),
                .appendMessageBegin(flags: [], internalDate: nil, size: 3, synchronizing: true, binary: true),
                .continuationRequest, .appendMessageBytes(ByteBuffer(bytes: [0, 1, 2])), .appendMessageEnd, .appendEnd,
            ])
    }

    /// RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")"
    @Test func utf8AppendData() {
        let input = "a APPEND x (\\Seen) UTF8 (~{2+}\r\nhi) UTF8 (~{1}\r\nz)\r\nb NOOP\r\n"
        #expect(
            events(input) == [
                .appendStart(tag: "a", mailbox: "x"),
                .appendMessageBegin(flags: [.seen], internalDate: nil, size: 2, synchronizing: false, binary: true),
                .appendMessageBytes(ByteBuffer(string: "hi")), .appendMessageEnd,
                .appendMessageBegin(flags: [], internalDate: nil, size: 1, synchronizing: true, binary: true),
                .continuationRequest, .appendMessageBytes(ByteBuffer(string: "z")), .appendMessageEnd, .appendEnd,
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func utf8AppendDataNeedsItsParenthesis() {
        let input = "a APPEND x UTF8 (~{2+}\r\nhi\r\nb NOOP\r\n"
        let got = events(input)
        #expect(got.contains(.appendError(tag: "a", message: "expected ) after the UTF8 message")))
        #expect(got.last == .command(TaggedCommand(tag: "b", command: .noop)))
    }

    @Test func multiAppend() {
        let input = "a APPEND x {2+}\r\nhi (\\Draft) {3}\r\nabc ~{0}\r\n\r\n"
        #expect(
            events(input) == [
                .appendStart(tag: "a", mailbox: "x"),
                .appendMessageBegin(flags: [], internalDate: nil, size: 2, synchronizing: false, binary: false),
                .appendMessageBytes(ByteBuffer(string: "hi")), .appendMessageEnd,
                .appendMessageBegin(flags: [.draft], internalDate: nil, size: 3, synchronizing: true, binary: false),
                .continuationRequest, .appendMessageBytes(ByteBuffer(string: "abc")), .appendMessageEnd,
                .appendMessageBegin(flags: [], internalDate: nil, size: 0, synchronizing: true, binary: true),
                .continuationRequest, .appendMessageEnd, .appendEnd,
            ])
    }

    @Test func waitsForDecision() {
        var framer = CommandFramer()
        framer.append(ByteBuffer(string: "a APPEND x {2}\r\n"))
        #expect(framer.next() == .appendStart(tag: "a", mailbox: "x"))
        #expect(
            framer.next()
                == .appendMessageBegin(flags: [], internalDate: nil, size: 2, synchronizing: true, binary: false))
        #expect(framer.next() == nil)
        framer.append(ByteBuffer(string: "hi\r\n"))
        #expect(framer.next() == nil)
        framer.acceptAppendMessage()
        #expect(framer.next() == .continuationRequest)
        #expect(framer.next() == .appendMessageBytes(ByteBuffer(string: "hi")))
        #expect(framer.next() == .appendMessageEnd)
        #expect(framer.next() == .appendEnd)
        #expect(framer.next() == nil)
    }

    @Test func rejectSynchronizing() {
        let ev = events("a APPEND x {2}\r\nb NOOP\r\n", acceptAppends: false)
        #expect(
            ev == [
                .appendStart(tag: "a", mailbox: "x"),
                .appendMessageBegin(flags: [], internalDate: nil, size: 2, synchronizing: true, binary: false),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func rejectNonSynchronizingSkipsTheRest() {
        let ev = events("a APPEND x {2+}\r\nhi {3+}\r\nabc\r\nb NOOP\r\n", acceptAppends: false)
        #expect(
            ev == [
                .appendStart(tag: "a", mailbox: "x"),
                .appendMessageBegin(flags: [], internalDate: nil, size: 2, synchronizing: false, binary: false),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func malformedContinuationLine() {
        let ev = events("a APPEND x {2+}\r\nhi garbage\r\nb NOOP\r\n")
        #expect(
            ev.suffix(2) == [
                .appendError(tag: "a", message: "invalid APPEND syntax"),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
        let ev2 = events("a APPEND x {2+}\r\nhi (\\Seen {3+}\r\nabc\r\nb NOOP\r\n")
        #expect(
            ev2.suffix(2) == [
                .appendError(tag: "a", message: "expected atom"), .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func malformedAppendPrefixIsACommandError() {
        #expect(
            events("a APPEND x (\\Seen {2}\r\nhi\r\n").last
                == .commandError(tag: "a", message: "APPEND: invalid flag list: expected atom"))
        #expect(events("a APPEND x \"bad date\" {2}\r\nhi\r\n").last?.isCommandError == true)
        #expect(events("a APPEND x\r\n") == [.commandError(tag: "a", message: "APPEND needs a message literal")])
    }

    @Test func messageLargerThanLimitIsRefused() {
        var limits = IMAPLimits()
        limits.maxAppendSize = 10
        #expect(
            events("a APPEND x {11}\r\nb NOOP\r\n", limits: limits) == [
                .appendStart(tag: "a", mailbox: "x"),
                .appendMessageBegin(flags: [], internalDate: nil, size: 11, synchronizing: true, binary: false),
                .appendError(tag: "a", message: "[TOOBIG] message too large"),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
        #expect(
            events("a APPEND x {11+}\r\n", limits: limits).last == .fatal(message: "APPEND message too large to skip"))
    }

    @Test func bytesAreStreamedInChunks() {
        var limits = IMAPLimits()
        limits.maxAppendChunkSize = 4
        var framer = CommandFramer(limits: limits)
        framer.append(ByteBuffer(string: "a APPEND x {10+}\r\n0123456789\r\n"))
        _ = framer.next()
        _ = framer.next()
        framer.acceptAppendMessage()
        var chunks: [String] = []
        while let e = framer.next() {
            if case .appendMessageBytes(let b) = e { chunks.append(String(buffer: b)) }
        }
        #expect(chunks == ["0123", "4567", "89"])
    }
}

extension FramerEvent {
    var isCommandError: Bool {
        if case .commandError = self { return true }
        return false
    }
}
