import Testing

@testable import IMAPWire

@Suite struct StoreCopyTests {
    @Test func store() {
        #expect(
            command("a STORE 1 +FLAGS (\\Seen \\DELETED $x)\r\n")
                == .store(
                    .single(1), StoreAction(mode: .add, flags: [.seen, .deleted, .keyword("$x")]), unchangedSince: nil,
                    uid: false))
        #expect(
            command("a UID STORE 1 -flags.silent \\answered \\Flagged\r\n")
                == .store(
                    .single(1), StoreAction(mode: .remove, silent: true, flags: [.answered, .flagged]),
                    unchangedSince: nil, uid: true))
        #expect(
            command("a STORE 1 (UNCHANGEDSINCE 9) FLAGS ()\r\n")
                == .store(.single(1), StoreAction(mode: .replace, flags: []), unchangedSince: 9, uid: false))
        #expect(
            command("a STORE 1 FLAGS (\\Draft \\Recent \\Custom)\r\n")
                == .store(
                    .single(1), StoreAction(mode: .replace, flags: [.draft, .recent, .extension("Custom")]),
                    unchangedSince: nil, uid: false))
    }

    @Test(arguments: [
        "a STORE 1 FLAGS\r\n", "a STORE 1 +FLAGS\r\n", "a STORE 1 FLAG (\\Seen)\r\n", "a STORE 1 *FLAGS (\\Seen)\r\n",
        "a STORE 1 FLAGS (\\Seen\r\n", "a STORE 0 FLAGS (\\Seen)\r\n", "a STORE 1 (CHANGEDSINCE 1) FLAGS ()\r\n",
        "a STORE 1 FLAGS ((\\Seen))\r\n", "a STORE 1 FLAGS (\\)\r\n", "a STORE FLAGS (\\Seen)\r\n",
    ])
    func malformedStore(line: String) {
        expectError(line)
    }

    @Test func copyMove() {
        #expect(command("a COPY 2:4 MEETING\r\n") == .copy(.ranges([SequenceRange(2...4)]), "MEETING", uid: false))
        #expect(command("a UID COPY 1 \"a b\"\r\n") == .copy(.single(1), "a b", uid: true))
        #expect(command("a MOVE 1 x\r\n") == .move(.single(1), "x", uid: false))
        #expect(command("a UID MOVE $ x\r\n") == .move(.lastCommandResult, "x", uid: true))
        #expect(command("a UID EXPUNGE 1:3\r\n") == .uidExpunge(.ranges([SequenceRange(1...3)])))
        expectError("a COPY 1\r\n")
        expectError("a MOVE x y\r\n")
        expectError("a UID EXPUNGE\r\n")
        expectError("a UID\r\n")
    }

    @Test func flagParsing() {
        #expect(Flag("\\SEEN") == .seen)
        #expect(Flag("\\recent") == .recent)
        #expect(Flag("\\X") == .extension("X"))
        #expect(Flag("$Junk") == .keyword("$Junk"))
        #expect(Flag.extension("X").wireValue == "\\X")
    }
}
