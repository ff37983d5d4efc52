import ManageSieve
import Testing

/// Command decoding: every command, case-insensitive names, every wrong shape of arguments.
@Suite struct CommandTests {
    static func decode(_ line: String) -> Result<ManageSieveCommand, ManageSieveCommandError> {
        var input = ManageSieveInput(limits: ManageSieveLimits())
        input.append(Array((line + "\r\n").utf8))
        guard case .tokens(let tokens)? = input.next() else { return .failure(.syntax("no line")) }
        return ManageSieveCommand.decode(tokens)
    }

    @Test func everyCommand() {
        let cases: [(String, ManageSieveCommand)] = [
            ("authenticate \"PLAIN\"", .authenticate(mechanism: "PLAIN", initialResponse: nil)),
            (
                "AUTHENTICATE \"PLAIN\" \"AGEAYg==\"",
                .authenticate(mechanism: "PLAIN", initialResponse: Array("AGEAYg==".utf8))
            ),
            ("StartTLS", .startTLS), ("LOGOUT", .logout), ("CAPABILITY", .capability),
            ("LISTSCRIPTS", .listScripts), ("UNAUTHENTICATE", .unauthenticate),
            ("HAVESPACE \"s\" 4294967295", .haveSpace(name: "s", size: 4_294_967_295)),
            ("PUTSCRIPT \"s\" {5+}\r\nkeep;", .putScript(name: "s", source: Array("keep;".utf8))),
            ("SETACTIVE \"\"", .setActive(name: "")), ("GETSCRIPT \"é\"", .getScript(name: "é")),
            ("DELETESCRIPT {1}\r\nx", .deleteScript(name: "x")),
            ("RENAMESCRIPT \"a\" \"b\"", .renameScript(from: "a", to: "b")),
            ("CHECKSCRIPT \"stop;\"", .checkScript(source: Array("stop;".utf8))),
            ("NOOP", .noop(tag: nil)), ("noop \"t1\"", .noop(tag: Array("t1".utf8))),
        ]
        for (line, command) in cases {
            #expect(Self.decode(line) == .success(command), "\(line)")
        }
    }

    @Test func refusals() {
        let cases: [(String, ManageSieveCommandError)] = [
            ("FROB", .unknownCommand),
            ("\"CAPABILITY\"", .syntax("expected a command name")),
            ("CAPABILITY x", .syntax("CAPABILITY takes 0 arguments")),
            ("LOGOUT \"x\"", .syntax("LOGOUT takes 0 arguments")),
            ("AUTHENTICATE", .syntax("AUTHENTICATE takes 1 to 2 arguments")),
            ("AUTHENTICATE PLAIN", .syntax("AUTHENTICATE expects a string")),
            ("AUTHENTICATE \"PLAIN\" x", .syntax("AUTHENTICATE expects a string")),
            ("HAVESPACE \"s\"", .syntax("HAVESPACE takes 2 arguments")),
            ("HAVESPACE \"s\" 4294967296", .syntax("HAVESPACE expects a number below 4294967296")),
            ("HAVESPACE \"s\" \"1\"", .syntax("HAVESPACE expects a number below 4294967296")),
            ("HAVESPACE \"s\" 1x", .syntax("HAVESPACE expects a number below 4294967296")),
            ("HAVESPACE \"s\" 12345678901", .syntax("HAVESPACE expects a number below 4294967296")),
            ("PUTSCRIPT \"s\"", .syntax("PUTSCRIPT takes 2 arguments")),
            ("SETACTIVE", .syntax("SETACTIVE takes 1 argument")),
            ("GETSCRIPT a", .syntax("GETSCRIPT expects a string")),
            ("DELETESCRIPT \"a\" \"b\"", .syntax("DELETESCRIPT takes 1 argument")),
            ("RENAMESCRIPT \"a\"", .syntax("RENAMESCRIPT takes 2 arguments")),
            ("CHECKSCRIPT", .syntax("CHECKSCRIPT takes 1 argument")),
            ("NOOP \"a\" \"b\"", .syntax("NOOP takes 0 to 1 arguments")),
        ]
        for (line, error) in cases {
            #expect(Self.decode(line) == .failure(error), "\(line)")
        }
        #expect(ManageSieveCommand.decode([]) == .failure(.syntax("expected a command name")))
        #expect(
            ManageSieveCommand.decode([.atom("GETSCRIPT"), .string([0xFF])])
                == .failure(.syntax("GETSCRIPT: a name is UTF-8")))
        #expect(ManageSieveCommandError.unknownCommand.text == "Unknown command")
        #expect(ManageSieveCommandError.syntax("x").text == "x")
    }
}
