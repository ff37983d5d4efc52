import Sieve
import Testing

/// The lexer and parser (RFC 5228 §8): every token kind and every syntax error with its position.
@Suite struct SyntaxTests {
    @Test func everyTokenKind() throws {
        let script = """
            # hash comment
            require ["fileinto", "relational", "comparator-i;ascii-numeric"]; /* bracket
            comment */
            if anyof (size :under 1M, header :value "lt" :comparator "i;ascii-numeric" "X-N" "10") {
                fileinto "A\\"B\\\\C";
            } elsif true { stop; } else { keep; }
            """
        let result = try run(script)
        #expect(result.actions == [store("A\"B\\C")])
    }

    @Test func multiLineStringIsDotUnstuffed() throws {
        let script = "require \"reject\";\nreject text: # comment\nline one\n..dot\n.\n;\n"
        let result = try run(script)
        #expect(result.actions == [.reject(reason: "line one\r\n.dot\r\n", extended: false)])
    }

    @Test func numbersWithQuantifiers() throws {
        #expect(try holds("size :under 1K"))
        #expect(try !holds("size :over 1G"))
        #expect(compileError("if size :over 99999999999999999999 { keep; }")?.message == "number too large")
        #expect(compileError("if size :over 17G { keep; }") == nil)
    }

    @Test(arguments: [
        ("keep", 1, 5, "expected ';' or '{' after command 'keep', found end of script"),
        ("keep;\n  \"x\";", 2, 3, "unexpected string"),
        ("if true { keep;", 1, 16, "expected '}' or a command, found end of script"),
        ("keep; /* open", 1, 7, "unterminated comment"),
        ("redirect \"abc", 1, 10, "unterminated string"),
        ("require [\"a\" \"b\"];", 1, 14, "expected ',' or ']' in the string list, found string"),
        ("if anyof (true false) { }", 1, 11, "test 'true' takes no test"),
        ("if anyof (true, false { }", 1, 23, "expected ',' or ')' in the test list, found '{'"),
        ("keep :", 1, 7, "expected a tag name after ':'"),
        ("keep @;", 1, 6, "unexpected character '@'"),
        ("if size :over 12X { }", 1, 15, "invalid number"),
        ("require \"reject\"; reject text:\nno end\n", 1, 26, "unterminated multi-line string"),
        ("reject text: x\n.\n;", 1, 14, "expected a line end after 'text:'"),
        ("if { }", 1, 1, "command 'if' needs exactly one test"),
        ("if anyof ({ }", 1, 11, "expected a test, found '{'"),
    ])
    func syntaxErrors(_ script: String, _ line: Int, _ column: Int, _ message: String) {
        let error = compileError(script)
        #expect(error == SieveCompileError(line: line, column: column, message))
    }

    @Test func errorDescriptionNamesLineAndColumn() {
        let error = compileError("require \"fileinto\";\n\nif heder \"x\" \"y\" { keep; }")
        #expect(error?.description == "line 3, column 4: unknown test 'heder'")
    }

    @Test func invalidUTF8InAStringIsRefused() {
        var bytes = Array("redirect \"".utf8)
        bytes += [0xFF, 0x22, 0x3B]
        #expect(Sieve.validate(source: bytes).first?.message == "string is not valid UTF-8")
    }

    @Test func emptyScriptKeeps() throws {
        let result = try run("")
        #expect(result.actions.isEmpty)
        #expect(result.implicitKeep == SieveKeep(flags: []))
    }
}
