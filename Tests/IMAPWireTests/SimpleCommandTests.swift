import Testing

@testable import IMAPWire

@Suite struct SimpleCommandTests {
    @Test(arguments: [
        ("CAPABILITY", Command.capability), ("noop", .noop), ("Logout", .logout), ("STARTTLS", .starttls),
        ("NAMESPACE", .namespace), ("CHECK", .check), ("CLOSE", .close), ("UNSELECT", .unselect),
        ("EXPUNGE", .expunge), ("IDLE", .idle),
    ])
    func noArguments(name: String, expected: Command) {
        #expect(parse("x1 \(name)\r\n") == .command(TaggedCommand(tag: "x1", command: expected)))
    }

    @Test func trailingArgumentsAreRejected() {
        expectError("a NOOP x\r\n")
        expectError("a CAPABILITY \r\n")
    }

    @Test func authenticate() {
        #expect(command("a AUTHENTICATE PLAIN\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: nil))
        #expect(command("a AUTHENTICATE PLAIN =\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: ""))
        #expect(
            command("a AUTHENTICATE PLAIN dGVzdA==\r\n")
                == .authenticate(mechanism: "PLAIN", initialResponse: "dGVzdA=="))
        expectError("a AUTHENTICATE PLAIN abc\r\n")
        expectError("a AUTHENTICATE PLAIN ab!c\r\n")
        expectError("a AUTHENTICATE\r\n")
    }

    @Test func login() {
        #expect(command("a LOGIN fred \"sec ret\"\r\n") == .login(username: "fred", password: "sec ret"))
        #expect(command("a LOGIN {4}\r\nfred {2+}\r\npw\r\n") == .login(username: "fred", password: "pw"))
        #expect(command("a LOGIN \"a\\\\b\" \"c\\\"d\"\r\n") == .login(username: "a\\b", password: "c\"d"))
        #expect(command("a LOGIN \"j\u{f6}rg\" x\r\n") == .login(username: "j\u{f6}rg", password: "x"))
        expectError("a LOGIN fred\r\n")
        expectError("a LOGIN fred secret extra\r\n")
        expectError("a LOGIN \"fred secret\r\n")
        expectError("a LOGIN \"a\\b\" x\r\n")
    }

    @Test func invalidUTF8InQuotedIsRejected() {
        let line: [UInt8] = bytes("a LOGIN \"") + [0xC3, 0x28] + bytes("\" x\r\n")
        #expect(events(line).count == 1)
        if case .commandError(let tag, _)? = events(line).first {
            #expect(tag == "a")
        } else {
            Issue.record("no error")
        }
    }

    @Test func nulIsNeverAllowed() {
        let quoted: [UInt8] = bytes("a LOGIN \"a") + [0] + bytes("\" x\r\n")
        let literal: [UInt8] = bytes("a LOGIN {1}\r\n") + [0] + bytes(" x\r\n")
        let atom: [UInt8] = bytes("a LOGIN a") + [0] + bytes(" x\r\n")
        for input in [quoted, literal, atom] {
            guard case .commandError(let tag, _)? = events(input).last else {
                Issue.record("accepted NUL")
                continue
            }
            #expect(tag == "a")
        }
    }

    @Test func enable() {
        #expect(command("a ENABLE CONDSTORE utf8=accept\r\n") == .enable(["CONDSTORE", "utf8=accept"]))
        expectError("a ENABLE\r\n")
    }

    @Test func id() {
        #expect(command("a ID NIL\r\n") == .id(nil))
        #expect(
            command("a ID (\"name\" \"x\" \"os\" NIL)\r\n")
                == .id([IDParameter(key: "name", value: "x"), IDParameter(key: "os", value: nil)]))
        expectError("a ID (\"name\")\r\n")
        expectError("a ID\r\n")
    }

    @Test func tags() {
        #expect(parse("A001.2 NOOP\r\n") == .command(TaggedCommand(tag: "A001.2", command: .noop)))
        #expect(parse("x] NOOP\r\n") == .command(TaggedCommand(tag: "x]", command: .noop)))
        expectError("+a NOOP\r\n", tag: nil)
        expectError("a+b NOOP\r\n", tag: nil)
        expectError(" NOOP\r\n", tag: nil)
        // A tag alone on its line is still a tag: it gets a tagged BAD.
        expectError("NOOP\r\n", tag: "NOOP")
        expectError("(a NOOP\r\n", tag: nil)
    }

    @Test func unknownCommandCarriesTag() {
        #expect(expectError("t9 FROBNICATE\r\n", tag: "t9") == "unknown command")
        expectError("t9 UID FROB 1\r\n", tag: "t9")
        expectError("t9 APPEND INBOX\r\n", tag: "t9")
    }

    @Test func bareLFIsAccepted() {
        #expect(parse("a NOOP\n") == .command(TaggedCommand(tag: "a", command: .noop)))
    }

    @Test func emptyLinesAreIgnored() {
        #expect(events("\r\n\r\na NOOP\r\n") == [.command(TaggedCommand(tag: "a", command: .noop))])
    }
}
