import Sieve
import Testing

/// Variables (RFC 5229), encoded characters (RFC 5228 §2.4.2.4) and include with globals (RFC 6609).
@Suite struct VariablesTests {
    func mailboxes(_ result: SieveResult) -> [String] {
        result.actions.compactMap {
            if case .store(let m, _, _, _, _) = $0 { return m }
            return nil
        }
    }

    @Test(arguments: [
        ("set :lower \"v\" \"HeLLo\";", "hello"), ("set :upper \"v\" \"HeLLo\";", "HELLO"),
        ("set :lowerfirst \"v\" \"HeLLo\";", "heLLo"), ("set :upperfirst \"v\" \"heLLo\";", "HeLLo"),
        ("set :upper :lowerfirst \"v\" \"hello\";", "hELLO"), ("set :length \"v\" \"héllo\";", "5"),
        ("set :quotewildcard \"v\" \"a*b?c\\\\\";", "a\\*b\\?c\\\\"), ("set \"v\" \"${unknown}x\";", "x"),
        ("set \"a\" \"1\"; set \"v\" \"${a}${A}${ a}\";", "11${ a}"),
    ])
    func modifiersAndExpansion(_ setter: String, _ expected: String) throws {
        let script = "require [\"variables\", \"fileinto\"]; \(setter) fileinto \"${v}\";"
        #expect(mailboxes(try run(script)) == [expected])
    }

    @Test func matchVariables() throws {
        let script = """
            require ["variables", "fileinto"];
            if header :matches "Subject" "*ly r?port" { fileinto "${1}-${2}-${0}"; }
            if address :matches "From" "*+*@*" { fileinto "${2}.${3}"; }
            if header :is "Subject" "Weekly report" { fileinto "${1}"; }
            """
        #expect(mailboxes(try run(script)) == ["Week-e-Weekly report", "lists.example.com", "bob"])
    }

    @Test func stringTest() throws {
        let req = ["variables", "relational", "comparator-i;ascii-numeric"]
        #expect(try holds("string :is \"${x}\" \"\"", require: req))
        #expect(
            try holds("string :count \"eq\" :comparator \"i;ascii-numeric\" [\"a\", \"\", \"b\"] \"2\"", require: req))
    }

    @Test func encodedCharacter() throws {
        let script = "require [\"encoded-character\", \"fileinto\"]; fileinto \"${hex:41 42}${unicode:e9}${hex:zz}\";"
        #expect(mailboxes(try run(script)) == ["ABé${hex:zz}"])
        #expect(mailboxes(try run("require \"fileinto\"; fileinto \"${hex:41}\";")) == ["${hex:41}"])
    }

    @Test func includeRunsTheOtherScriptWithItsOwnVariablesAndSharedGlobals() throws {
        let scripts: [String: String] = [
            "sub": """
            require ["include", "variables", "fileinto"];
            global "g";
            fileinto "sub-${g}-${local}";
            set "g" "changed";
            return;
            fileinto "never";
            """,
            "loop": "require \"include\"; include \"loop\";",
        ]
        let resolver: SieveIncludeResolver = { name, location in
            location == .personal ? scripts[name].map { Array($0.utf8) } : nil
        }
        let main = """
            require ["include", "variables", "fileinto"];
            global "g";
            set "g" "one";
            set "local" "mine";
            include "sub";
            include :once "sub";
            include :once "sub";
            include :optional :global "sub";
            include :optional "missing";
            fileinto "main-${g}-${local}";
            """
        let result = try run(main, resolver: resolver)
        // Pigeonhole: :once also skips a script an include without :once ran.
        #expect(mailboxes(result) == ["sub-one-", "main-changed-mine"])
        let loop = Sieve.validate(
            source: Array("require \"include\"; include \"loop\";".utf8), includeResolver: resolver)
        #expect(
            loop.first?.description
                == "included script \"loop\": line 1, column 20: circular include of script \"loop\"")
        let onceLoop: SieveIncludeResolver = { _, _ in Array("require \"include\"; include :once \"self\";".utf8) }
        #expect(try run("require \"include\"; include \"self\";", resolver: onceLoop).runtimeError == nil)
        let missing = Sieve.validate(
            source: Array("require \"include\"; include :global \"sub\";".utf8), includeResolver: resolver)
        #expect(missing.first?.message == "included global script \"sub\" does not exist")
    }

    @Test func compileErrorsInIncludedScriptsNameTheScript() {
        let resolver: SieveIncludeResolver = { _, _ in Array("\n bogus;".utf8) }
        let error = Sieve.validate(
            source: Array("require \"include\"; include \"bad\";".utf8), includeResolver: resolver)
        #expect(error.first?.description == "included script \"bad\": line 2, column 2: unknown command 'bogus'")
    }
}
