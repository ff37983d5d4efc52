import Sieve
import Testing

/// Validation (RFC 5228 §3.2, §2.6, §2.7.3 and each extension's rules): every error with its position.
@Suite struct ValidationTests {
    @Test(arguments: [
        ("fileinto \"x\";", "command 'fileinto' needs require \"fileinto\""),
        ("require \"nosuch\";", "unknown extension \"nosuch\""),
        ("keep; require \"fileinto\";", "require is only allowed before any other command"),
        ("frobnicate;", "unknown command 'frobnicate'"),
        ("if heder \"a\" \"b\" { }", "unknown test 'heder'"),
        ("if keep { }", "'keep' is a command, not a test"),
        ("elsif true { }", "'elsif' without a preceding 'if'"),
        ("keep; else { }", "'else' without a preceding 'if'"),
        ("if header :is :contains \"a\" \"b\" { }", "tag ':contains' conflicts with ':is'"),
        ("if header :is :is \"a\" \"b\" { }", "tag ':is' given twice"),
        ("if header :frob \"a\" \"b\" { }", "unknown tag ':frob' for test 'header'"),
        ("if header \"a\" { }", "test 'header' takes 2 positional arguments, not 1"),
        ("redirect [\"a\", \"b\"];", "argument 1 of 'redirect' must be a string"),
        ("if header :comparator \"i;frob\" \"a\" \"b\" { }", "unknown comparator \"i;frob\""),
        (
            "if header :comparator \"i;ascii-numeric\" \"a\" \"1\" { }",
            "comparator \"i;ascii-numeric\" needs require \"comparator-i;ascii-numeric\""
        ),
        ("require \"relational\"; if header :count \"xx\" \"a\" \"1\" { }", "unknown relational operator \"xx\""),
        ("require \"index\"; if header :last \"a\" \"1\" { }", "':last' needs ':index'"),
        ("if size 10 { }", "test 'size' takes 0 positional arguments, not 1"),
        ("if size { }", "test 'size' needs ':over' or ':under'"),
        ("require \"variables\"; set \"1a\" \"x\";", "invalid variable name \"1a\""),
        ("keep { }", "command 'keep' takes no block"),
        ("if true;", "command 'if' needs a block"),
        ("if not (true) { }", "test 'not' needs exactly one test"),
        ("if anyof true { }", "test 'anyof' needs a test list"),
        ("keep true;", "command 'keep' takes no test"),
        ("require \"vacation\"; vacation :days \"x\" \"r\";", "tag ':days' needs a number"),
        ("require \"vacation\"; vacation :seconds 5 \"r\";", "unknown tag ':seconds' for command 'vacation'"),
        ("keep :flags \"x\";", "unknown tag ':flags' for command 'keep'"),
        ("require \"envelope\"; if envelope \"cc\" \"x\" { }", "unknown envelope part \"cc\""),
        ("require \"imap4flags\"; setflag \"v\" \"x\";", "a flag variable needs require \"variables\""),
        ("redirect \"a\" :copy;", "tag ':copy' after the positional arguments of 'redirect'"),
        ("require \"include\"; include \"nosuch\";", "included personal script \"nosuch\" does not exist"),
        (
            "require \"comparator-i;ascii-numeric\"; if header :contains :comparator \"i;ascii-numeric\" \"x\" \"1\" { }",
            "comparator \"i;ascii-numeric\" cannot be used with :contains"
        ),
        (
            "require \"vacation\"; vacation :from \"not an address\" \"r\";",
            "invalid vacation :from address \"not an address\""
        ),
        ("require \"variables\"; set \"global.x\" \"y\";", "variable namespace \"global\" needs require \"include\""),
        ("require \"include\"; global \"x\";", "command 'global' needs require \"variables\""),
        ("redirect \"not an address\";", "invalid redirect address \"not an address\""),
        ("if address :is \"subject\" \"x\" { }", "header \"subject\" is not allowed for the address test"),
        ("require \"index\"; if header :index 0 \"x\" \"y\" { }", "':index' must be at least 1"),
        ("require \"include\"; include \"a/b\";", "invalid script name \"a/b\""),
    ])
    func errors(_ script: String, _ message: String) {
        #expect(compileError(script)?.message == message)
    }

    @Test func errorPositionIsTheOffendingArgument() {
        let error = compileError("require \"fileinto\";\n  require \"bogus\";")
        #expect(error == SieveCompileError(line: 2, column: 11, "unknown extension \"bogus\""))
    }

    @Test func capabilitiesOutsideTheAllowedSetAreUnknown() {
        let errors = Sieve.validate(source: Array("require \"vacation\";".utf8), extensions: ["fileinto"])
        #expect(errors.first?.message == "unknown extension \"vacation\"")
    }

    @Test func validScriptHasNoErrors() {
        #expect(Sieve.validate(source: Array("require \"fileinto\"; fileinto \"A\";".utf8)).isEmpty)
    }
}

/// One validation reports every command in error (a syntax error comes alone).
@Suite struct SeveralErrorsTests {
    @Test func everyCommandInError() {
        let script = "require \"fileinto\";\nfrob;\nif true {\n  fileinto [\"a\", \"b\"];\n}\nkeep :x;\n"
        let errors = Sieve.validate(source: Array(script.utf8))
        #expect(
            errors == [
                SieveCompileError(line: 2, column: 1, "unknown command 'frob'"),
                SieveCompileError(line: 4, column: 12, "argument 1 of 'fileinto' must be a string"),
                SieveCompileError(line: 6, column: 6, "unknown tag ':x' for command 'keep'"),
            ])
        #expect(compileError(script) == errors.first)
    }

    @Test func syntaxErrorComesAlone() {
        #expect(Sieve.validate(source: Array("frob;\nkeep".utf8)).count == 1)
    }

    @Test func atMostTheLimit() {
        let script = String(repeating: "frob;\n", count: SieveLimits.maxReportedErrors + 5)
        #expect(Sieve.validate(source: Array(script.utf8)).count == SieveLimits.maxReportedErrors)
    }
}
