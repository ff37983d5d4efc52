import NIOCore
import Testing

@testable import IMAPWire

@Suite struct LiteralTests {
    let login = FramerEvent.command(TaggedCommand(tag: "a", command: .login(username: "fred", password: "pw")))

    @Test func synchronizingLiteralAsksForContinuation() {
        #expect(events("a LOGIN {4}\r\nfred pw\r\n") == [.continuationRequest, login])
    }

    @Test func continuationComesBeforeTheLiteralArrives() {
        var framer = CommandFramer()
        framer.append(ByteBuffer(string: "a LOGIN {4}\r\n"))
        #expect(framer.next() == .continuationRequest)
        #expect(framer.next() == nil)
        framer.append(ByteBuffer(string: "fred pw\r\n"))
        #expect(framer.next() == login)
        #expect(framer.next() == nil)
    }

    @Test func literalPlusNeedsNoContinuation() {
        #expect(events("a LOGIN {4+}\r\nfred {2+}\r\npw\r\n") == [login])
    }

    @Test func literalMayContainAnything() {
        let input = bytes("a LOGIN {9}\r\n\"{1}\r\n)\u{7}x pw\r\n")
        #expect(
            events(input) == [
                .continuationRequest,
                .command(TaggedCommand(tag: "a", command: .login(username: "\"{1}\r\n)\u{7}x", password: "pw"))),
            ])
    }

    @Test func quotedBraceIsNotALiteral() {
        #expect(
            events("a LOGIN fred \"{4}\"\r\n") == [
                .command(TaggedCommand(tag: "a", command: .login(username: "fred", password: "{4}")))
            ])
        #expect(events("a LOGIN fred \"x\\\"{4}\"\r\n").count == 1)
    }

    @Test func emptyLiteral() {
        #expect(
            events("a LOGIN {0}\r\n pw\r\n") == [
                .continuationRequest, .command(TaggedCommand(tag: "a", command: .login(username: "", password: "pw"))),
            ])
    }

    @Test func literal8OutsideAppendIsRejected() {
        #expect(
            events("a LOGIN ~{4}\r\nfred pw\r\n").last
                == .commandError(tag: "a", message: "literal8 is not allowed here"))
    }

    @Test func tooBigSynchronizingLiteralIsRefusedAtOnce() {
        let ev = events("a LOGIN {9000}\r\nb NOOP\r\n")
        #expect(
            ev == [
                .commandError(tag: "a", message: "literal too large"),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func tooBigNonSynchronizingLiteralIsSkipped() {
        let input =
            bytes("a LOGIN {9000+}\r\n") + Array(repeating: UInt8(ascii: "x"), count: 9000)
            + bytes(" pw {3+}\r\nabc\r\nb NOOP\r\n")
        #expect(
            events(input) == [
                .commandError(tag: "a", message: "literal too large"),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
        #expect(eventsByteByByte(input) == events(input))
    }

    @Test func hugeNonSynchronizingLiteralIsFatal() {
        #expect(events("a LOGIN {99999999999+}\r\n") == [.fatal(message: "literal too large to skip")])
        #expect(events("a LOGIN {99999999999999999999999+}\r\n") == [.fatal(message: "literal too large to skip")])
    }

    @Test func errorsAfterLiteralsConsumeTheWholeCommand() {
        let ev = events("a LOGIN {4}\r\nfred\r\nb NOOP\r\n")
        #expect(
            ev == [
                .continuationRequest, .commandError(tag: "a", message: "expected space"),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func literalNotAtEndOfLineIsSyntaxError() {
        expectError("a LOGIN {4} x\r\n")
    }
}
