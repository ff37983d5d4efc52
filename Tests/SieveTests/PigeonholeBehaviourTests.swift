import Sieve
import Testing

/// Behaviour the RFCs leave open or that Pigeonhole settles its own way, pinned here as Postern follows it
/// (the differential corpus in Tests/sieve-diff checks the same against Pigeonhole itself).
@Suite struct PigeonholeBehaviourTests {
    func mailboxes(_ result: SieveResult) -> [String] {
        result.actions.compactMap {
            if case .store(let m, _, _, _, _) = $0 { return m }
            return nil
        }
    }

    func fileinto(_ requires: String, _ body: String, _ message: SieveMessage = testMessage()) throws -> [String] {
        mailboxes(try run("require [\(requires)];\n" + body, message))
    }

    @Test func doubleStarIsTwoWildcards() throws {
        // RFC 5229 §3.2: the first `*` of `**` matches the empty string.
        let script = "if header :matches \"Subject\" \"Week**report\" { fileinto \"[${1}|${2}]\"; }"
        #expect(try fileinto("\"fileinto\", \"variables\"", script) == ["[|ly ]"])
        let address = "if address :matches \"From\" \"bob**@*.com\" { fileinto \"[${1}|${2}|${3}]\"; }"
        #expect(try fileinto("\"fileinto\", \"variables\"", address) == ["[|+lists|example]"])
    }

    @Test func hasflagSplitsTheKeys() throws {
        // RFC 5232 §4: with "A B" set, `hasflag :is "b A"` and `hasflag ["b", "A"]` are both true.
        let req = ["imap4flags"]
        let set = "setflag \"A B\"; if "
        for test in ["hasflag :is \"b A\"", "hasflag [\"b\", \"A\"]", "hasflag \"a\""] {
            let result = try run("require \"imap4flags\"; " + set + test + " { discard; }")
            #expect(result.actions.contains(.discard), "\(test)")
        }
        #expect(!(try holds("hasflag :is \"c d\"", require: req)))
        // :is and :contains split the keys ("" is no flag at all); :matches and :value do not.
        let cases: [(String, Bool)] = [
            ("hasflag :contains \"q b\"", true), ("hasflag :contains \"\"", false), ("hasflag :is \"\"", false),
            ("hasflag :matches \"a *\"", false), ("hasflag :matches \"*\"", true),
            ("hasflag :value \"eq\" \"z a\"", false), ("hasflag :value \"lt\" \"b\"", true),
        ]
        for (test, expected) in cases {
            let result = try run("require [\"imap4flags\", \"relational\"]; " + set + test + " { discard; }")
            #expect(result.actions.contains(.discard) == expected, "\(test)")
        }
        let count = "require [\"imap4flags\", \"variables\", \"relational\", \"comparator-i;ascii-numeric\"];"
        let counted = try run(
            count
                + " set \"F\" \"A B\"; if hasflag :count \"eq\" :comparator \"i;ascii-numeric\" \"F\" \"2\" { discard; }"
        )
        #expect(counted.actions.contains(.discard))
    }

    @Test func metadataReadsNoAnnotationByDefault() throws {
        let mbox = ["mboxmetadata"]
        let server = ["servermetadata"]
        #expect(!(try holds("metadata :is \"INBOX\" \"/private/comment\" \"\"", require: mbox)))
        #expect(!(try holds("metadata :matches \"INBOX\" \"/private/comment\" \"*\"", require: mbox)))
        #expect(!(try holds("metadataexists \"INBOX\" \"/private/comment\"", require: mbox)))
        #expect(!(try holds("servermetadata :matches \"/private/vendor/x\" \"*\"", require: server)))
        #expect(!(try holds("servermetadataexists \"/private/vendor/x\"", require: server)))
        let count = ["mboxmetadata", "servermetadata", "relational", "comparator-i;ascii-numeric"]
        let numeric = ":count \"eq\" :comparator \"i;ascii-numeric\""
        #expect(!(try holds("metadata \(numeric) \"INBOX\" \"/private/comment\" \"0\"", require: count)))
        #expect(!(try holds("servermetadata \(numeric) \"/private/comment\" \"0\"", require: count)))
        #expect(compileError("if metadataexists \"INBOX\" \"/a\" { }")?.message.contains("mboxmetadata") == true)
        #expect(compileError("if servermetadataexists \"/a\" { }")?.message.contains("servermetadata") == true)
    }

    @Test func metadataComesFromTheEnvironment() throws {
        let env = SieveEnvironment(metadata: { mailbox, name in
            switch (mailbox, name) {
            case ("INBOX", "/private/comment"): return "on"
            case (nil, "/shared/motd"): return "hello"
            default: return nil
            }
        })
        let mbox = ["mboxmetadata"]
        #expect(try holds("metadata :is \"INBOX\" \"/private/comment\" \"on\"", require: mbox, environment: env))
        #expect(!(try holds("metadata :is \"Work\" \"/private/comment\" \"on\"", require: mbox, environment: env)))
        #expect(try holds("metadataexists \"INBOX\" \"/private/comment\"", require: mbox, environment: env))
        #expect(
            !(try holds(
                "metadataexists \"INBOX\" [\"/private/comment\", \"/private/x\"]", require: mbox, environment: env)))
        #expect(
            try holds(
                "servermetadata :contains \"/shared/motd\" \"ell\"", require: ["servermetadata"], environment: env))
        #expect(try holds("servermetadataexists \"/shared/motd\"", require: ["servermetadata"], environment: env))
    }

    @Test func unknownDatePartIsFalseNotAnError() throws {
        let result = try run(
            "require [\"date\", \"fileinto\"]; if date :is \"date\" \"fortnight\" \"1\" { fileinto \"y\"; }"
                + " if currentdate :matches \"FortNight\" \"*\" { fileinto \"z\"; }")
        #expect(mailboxes(result).isEmpty)
        #expect(result.warnings.count == 2)
        #expect(result.warnings.first?.contains("unknown date part \"fortnight\"") == true)
        let fromVariable = try run(
            "require [\"date\", \"variables\"]; set \"p\" \"secret\"; if currentdate \"${p}\" \"1\" { }")
        #expect(fromVariable.warnings == ["line 1: unknown date part"])
    }

    @Test func dateReadsTheFirstFieldWhateverTheIndex() throws {
        let message = testMessage(
            "X-D: Sun, 01 Mar 2020 01:00:00 +0000\r\nX-D: Sun, 01 Mar 2020 02:00:00 +0000\r\nX-E: junk\r\n"
                + "X-E: Sun, 01 Mar 2020 03:00:00 +0000\r\n")
        let req = "\"date\", \"index\", \"fileinto\", \"variables\""
        for tags in ["", ":index 2", ":index 1 :last", ":index 9"] {
            let script = "if date \(tags) :zone \"+0000\" :matches \"x-d\" \"hour\" \"*\" { fileinto \"${0}\"; }"
            #expect(try fileinto(req, script, message) == ["01"], "\(tags)")
        }
        #expect(!(try holds("date :zone \"+0000\" :is \"x-d\" \"hour\" \"02\"", require: ["date"], message)))
        // A first field that is not a date makes the test false; the second is not read.
        #expect(!(try holds("date :matches \"x-e\" \"hour\" \"*\"", require: ["date"], message)))
    }

    @Test func unknownNamespaceReadsEmpty() throws {
        let req = "\"fileinto\", \"variables\""
        #expect(try fileinto(req, "fileinto \"${foo.bar}x${foo.}y${a.b.c}z${1.a}\";") == ["x${foo.}yz${1.a}"])
        #expect(try fileinto(req, "fileinto \"${foo.bar}\";") == [""])
        #expect(compileError("require \"variables\"; set \"foo.bar\" \"1\";") != nil)
    }

    @Test func globalAfterALocalUseIsAnError() throws {
        let req = "require [\"include\", \"variables\", \"fileinto\", \"imap4flags\"];\n"
        for body in [
            "set \"x\" \"1\"; global \"x\";", "set \"X\" \"1\"; global \"x\";",
            "if true { set \"x\" \"1\"; } global \"x\";", "fileinto \"${x}\"; global \"x\";",
            "if string \"${x}\" \"\" { } global \"x\";", "set \"x\" \"1\"; if true { global \"x\"; }",
            "addflag \"x\" \"a\"; global \"x\";",
        ] {
            let error = compileError(req + body)
            #expect(error?.message == "global variable \"x\" is declared after its use as a local variable", "\(body)")
            #expect(error?.line == 2)
        }
        for body in [
            "set \"y\" \"1\"; global \"x\";", "global \"x\"; set \"x\" \"1\"; global \"x\";",
            "fileinto \"${global.x}\"; global \"x\";", "global \"x\"; global \"x\";",
        ] {
            #expect(compileError(req + body) == nil, "\(body)")
        }
        // Without variables, `${x}` is plain text, not a use.
        #expect(compileError("require [\"include\", \"fileinto\"]; fileinto \"${x}\";") == nil)
    }

    @Test func encodedCharacters() throws {
        let req = "\"encoded-character\", \"fileinto\""
        #expect(try fileinto(req, "fileinto \"${UnICoDE:0000040}\";") == ["@"])
        #expect(try fileinto(req, "fileinto \"${unicode: 41 0000000000042 }\";") == ["AB"])
        #expect(try fileinto(req, "fileinto \"${hex:C3}${hex:B6}\";") == ["ö"])
        #expect(try fileinto(req, "fileinto \"${hex:+1}${unicode:-41}\";") == ["${hex:+1}${unicode:-41}"])
        #expect(try fileinto(req, "fileinto \"${hex:}${unicode: }\";") == ["${hex:}${unicode: }"])
        #expect(try fileinto(req, "fileinto \"${unicode:10FFFF}${unicode:E000}\";") == ["\u{10FFFF}\u{E000}"])
        for bad in ["200000", "DF01", "D800", "110000", "1234567"] {
            let error = compileError("require [\(req)]; fileinto \"${unicode:\(bad)}\";")
            #expect(error?.message == "invalid unicode character \"\(bad)\" in an encoded character", "\(bad)")
        }
        #expect(compileError("require [\(req)]; if header :is \"a\" [\"b\", \"${unicode:D800}\"] { }") != nil)
    }

    @Test func mailboxNameThatIsNotUTF8() throws {
        let req = "require [\"variables\", \"fileinto\", \"encoded-character\"];\n"
        #expect(compileError(req + "fileinto \"${hex:FF}\";")?.message == "mailbox name is not valid UTF-8")
        let result = try run(req + "set \"a\" \"${hex:FF}\"; fileinto \"${a}\";")
        #expect(result.runtimeError?.contains("mailbox name is not valid UTF-8") == true)
        #expect(result.actions.isEmpty)
        #expect(result.implicitKeep == SieveKeep(flags: []))
        // A header's bytes that are not UTF-8 read as U+FFFD, which is a valid name (as in Pigeonhole), and
        // so is a U+FFFD the script writes.
        let message = SieveMessage(bytes: Array("Subject: caf".utf8) + [0xE9] + Array("\r\n\r\nx\r\n".utf8))
        let fromHeader = try run(
            "require [\"variables\", \"fileinto\"]; if header :matches \"Subject\" \"*\" { fileinto \"${1}\"; }",
            message)
        #expect(mailboxes(fromHeader) == ["caf\u{FFFD}"])
        #expect(mailboxes(try run(req + "fileinto \"${unicode:FFFD}\";")) == ["\u{FFFD}"])
    }

    @Test func unfoldingTurnsALeadingTabIntoASpace() throws {
        let message = testMessage(
            "X-A: a\r\n\tb\r\nX-B: c\r\n   d\r\nX-C: e \r\n\tf\r\nX-D: g\th\r\nX-E: i\r\n \t j\r\n")
        let req = "\"fileinto\", \"variables\""
        var script = ""
        for name in ["X-A", "X-B", "X-C", "X-D", "X-E"] {
            script += "if header :matches \"\(name)\" \"*\" { fileinto \"${0}\"; }\n"
        }
        #expect(try fileinto(req, script, message) == ["a b", "c   d", "e  f", "g\th", "i \t j"])
    }
}

@Suite struct ProgramUsesTests {
    @Test func findsTestsInBlocksTestListsAndIncludes() throws {
        let nested = try Sieve.compile(
            source: Array(
                "require [\"mailbox\", \"fileinto\"];\nif true { if anyof (false, mailboxexists \"A\") { keep; } }\n"
                    .utf8))
        #expect(nested.uses("mailboxexists") && nested.uses("anyof") && nested.uses("keep"))
        #expect(!nested.uses("fileinto"))
        let included = try Sieve.compile(
            source: Array("require \"include\";\ninclude \"other\";\n".utf8),
            includeResolver: { _, _ in Array("require \"mailbox\";\nif mailboxexists \"B\" { stop; }\n".utf8) })
        #expect(included.uses("mailboxexists"))
        #expect(!(try Sieve.compile(source: Array("keep;".utf8))).uses("mailboxexists"))
    }
}
