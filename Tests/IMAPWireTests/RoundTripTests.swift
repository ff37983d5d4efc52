import NIOCore
import Testing

@testable import IMAPWire

@Suite struct RoundTripTests {
    @Test(arguments: Fixtures.valid)
    func parseEncodeParse(line: String) throws {
        guard case .command(let original)? = parse(line) else {
            Issue.record("fixture does not parse: \(line.debugDescription) → \(String(describing: parse(line)))")
            return
        }
        let encoded = CommandEncoder().encode(original)
        let reparsed = GrammarParser.parseCommand(Array(encoded.readableBytesView))
        #expect(
            reparsed == .success(original), "\(line.debugDescription) → \(String(buffer: encoded).debugDescription)")
        // The encoded form also goes through the framer.
        let viaFramer = events(Array(encoded.readableBytesView)).filter { $0 != .continuationRequest }
        #expect(viaFramer == [.command(original)])
    }

    @Test func encoderUsesLiteralsForUnquotableStrings() {
        let cmd = TaggedCommand(tag: "a", command: .login(username: "a\r\nb", password: "caf\u{e9}"))
        let encoded = String(buffer: CommandEncoder().encode(cmd))
        #expect(encoded == "a LOGIN {4}\r\na\r\nb {5}\r\ncaf\u{e9}\r\n")
        #expect(GrammarParser.parseCommand(Array(encoded.utf8)) == .success(cmd))
    }

    @Test func searchTopLevelAnd() {
        for key in [
            SearchKey.and([.seen]), .and([.seen, .and([.draft])]), .and([.or(.seen, .and([.new, .old])), .all]),
        ] {
            let cmd = TaggedCommand(tag: "t", command: .search(SearchCommand(key: key)))
            #expect(GrammarParser.parseCommand(Array(CommandEncoder().encode(cmd).readableBytesView)) == .success(cmd))
        }
    }

    @Test func appendEncoding() {
        var buffer = ByteBuffer()
        let date = InternalDate(year: 2024, month: 3, day: 5, hour: 1, minute: 2, second: 3, zoneMinutes: 90)
        CommandEncoder().writeAppend(
            tag: "a", mailbox: "Sent Items",
            messages: [
                AppendMessage(flags: [.seen], internalDate: date, data: bytes("hi")),
                AppendMessage(data: [0], binary: true),
            ],
            into: &buffer)
        #expect(
            String(buffer: buffer)
                == "a APPEND \"Sent Items\" (\\Seen) \"05-Mar-2024 01:02:03 +0130\" {2}\r\nhi ~{1}\r\n\u{0}\r\n")
        let ev = events(Array(buffer.readableBytesView))
        #expect(ev.first == .appendStart(tag: "a", mailbox: "Sent Items"))
        #expect(
            ev.contains(
                .appendMessageBegin(flags: [.seen], internalDate: date, size: 2, synchronizing: true, binary: false)))
        #expect(ev.last == .appendEnd)
    }
}
