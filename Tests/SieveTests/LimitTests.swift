import Sieve
import Testing

/// Every limit of ``SieveLimits`` holds, with a clear error.
@Suite struct LimitTests {
    @Test func scriptSize() {
        let big = "#" + String(repeating: "x", count: SieveLimits.maxScriptSize) + "\nkeep;"
        #expect(compileError(big)?.message == "script larger than \(SieveLimits.maxScriptSize) bytes")
    }

    @Test func nestingDepth() {
        let deep = SieveLimits.maxNestingDepth + 1
        let blocks = String(repeating: "if true { ", count: deep) + String(repeating: "}", count: deep)
        #expect(compileError(blocks)?.message == "nesting deeper than \(SieveLimits.maxNestingDepth) levels")
        let tests = "if " + String(repeating: "not ", count: deep) + "true { }"
        #expect(compileError(tests)?.message == "nesting deeper than \(SieveLimits.maxNestingDepth) levels")
        let ok = SieveLimits.maxNestingDepth
        #expect(compileError(String(repeating: "if true { ", count: ok) + String(repeating: "}", count: ok)) == nil)
    }

    @Test func actions() throws {
        var script = "require \"fileinto\";\n"
        for i in 0...SieveLimits.maxActions { script += "fileinto \"F\(i)\";\n" }
        #expect(
            try run(script).runtimeError
                == "line \(SieveLimits.maxActions + 2): more than \(SieveLimits.maxActions) actions")
    }

    @Test func redirects() throws {
        var script = ""
        for i in 0...SieveLimits.maxRedirects { script += "redirect \"u\(i)@example.org\";\n" }
        #expect(
            try run(script).runtimeError
                == "line \(SieveLimits.maxRedirects + 1): more than \(SieveLimits.maxRedirects) redirects")
    }

    @Test func includeDepthAndCount() {
        // s0 includes s1 includes s2 ...: one level too deep.
        let resolver: SieveIncludeResolver = { name, _ in
            let n = Int(name.dropFirst())!
            return Array("require \"include\"; include \"s\(n + 1)\";".utf8)
        }
        let errors = Sieve.validate(
            source: Array("require \"include\"; include \"s0\";".utf8), includeResolver: resolver)
        #expect(errors.first?.message == "includes nested deeper than \(SieveLimits.maxIncludeDepth) levels")
        // One script including many distinct ones.
        var many = "require \"include\";\n"
        for i in 0...SieveLimits.maxIncludedScripts { many += "include \"x\(i)\";\n" }
        let flat: SieveIncludeResolver = { _, _ in [] }
        let tooMany = Sieve.validate(source: Array(many.utf8), includeResolver: flat)
        #expect(tooMany.first?.message == "more than \(SieveLimits.maxIncludedScripts) included scripts")
    }

    @Test func stringLength() throws {
        let long = String(repeating: "a", count: SieveLimits.maxStringLength + 1)
        #expect(
            compileError("redirect \"\(long)\";")?.message == "string longer than \(SieveLimits.maxStringLength) bytes")
        // Computed values are truncated to the variable size.
        let half = String(repeating: "b", count: SieveLimits.maxVariableSize / 2 + 1)
        let script = """
            require ["variables", "fileinto"];
            set "a" "\(half)"; set "b" "${a}${a}${a}";
            set :length "n" "${b}"; fileinto "${n}";
            """
        #expect(try run(script).actions == [store(String(SieveLimits.maxVariableSize))])
    }

    @Test func variableCount() throws {
        var script = "require \"variables\";\n"
        for i in 0...SieveLimits.maxVariables { script += "set \"v\(i)\" \"x\";\n" }
        #expect(
            try run(script).runtimeError
                == "line \(SieveLimits.maxVariables + 2): more than \(SieveLimits.maxVariables) variables")
    }

    @Test func matchVariableCount() throws {
        let pattern = String(repeating: "?", count: 20)
        let value = String(repeating: "z", count: 20)
        let script = """
            require ["variables", "fileinto"];
            if header :matches "X-Z" "\(pattern)" { fileinto "[${9}][${10}][${11}]"; }
            """
        #expect(try run(script, testMessage("X-Z: \(value)\r\n")).actions == [store("[z][][]")])
    }

    @Test func headerValues() throws {
        let fields = String(repeating: "X-R: a\r\n", count: SieveLimits.maxHeaderValues + 5)
        let req = ["relational", "comparator-i;ascii-numeric"]
        let test = "header :count \"eq\" :comparator \"i;ascii-numeric\" \"X-R\" \"\(SieveLimits.maxHeaderValues)\""
        #expect(try holds(test, require: req, testMessage(fields)))
    }

    @Test func matchSteps() throws {
        let body = String(repeating: "a", count: 100_000) + "\r\n"
        let key = String(repeating: "a", count: 4000) + "b"
        let script = "require \"body\"; if body :contains \"\(key)\" { discard; }"
        let result = try run(script, testMessage(body: body))
        #expect(result.runtimeError == "line 1: matching needs more than \(SieveLimits.maxMatchSteps) steps")
        let wild = "require \"body\"; if body :matches \"*\(key)*\" { discard; }"
        #expect(try run(wild, testMessage(body: body)).runtimeError?.hasSuffix("steps") == true)
        #expect(
            try run("require \"body\"; if body :contains \"aab\" { discard; }", testMessage(body: body)).runtimeError
                == nil)
    }

    @Test func stringListItems() {
        let list =
            "[" + Array(repeating: "\"a\"", count: SieveLimits.maxStringListItems + 1).joined(separator: ",") + "]"
        #expect(
            compileError("if header :is \"x\" \(list) { }")?.message
                == "string list longer than \(SieveLimits.maxStringListItems) items")
    }
}

/// Error messages stay one line and short whatever the script holds.
@Suite struct MessageTests {
    @Test func scriptTextInAnErrorIsOneLine() {
        let error = compileError("require [\"a\nb\"];")
        #expect(error?.message == "unknown extension \"a??b\"")
        let long = String(repeating: "x", count: 1000)
        let message = compileError("require \"\(long)\";")?.message ?? ""
        #expect(message.count == SieveLimits.maxMessageLength + 3 && message.hasSuffix("..."))
    }
}
