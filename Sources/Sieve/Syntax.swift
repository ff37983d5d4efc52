/// An argument of RFC 5228 §2.6: a tag, a number, a string or a string list.
struct SieveArgument: Equatable {
    enum Value: Equatable {
        case tag(String)
        case number(UInt64)
        /// A single string (`isList` false) or a bracketed list.
        case strings([String], isList: Bool)
    }
    var value: Value
    var line: Int
    var column: Int
}

/// A test of RFC 5228 §2.9 or a command of §2.9/§3 with its arguments as written.
struct SieveNode: Equatable {
    var name: String
    var arguments: [SieveArgument]
    /// The tests of a test list `( ... )` or the one test after the arguments.
    var tests: [SieveNode]
    /// Whether the tests were written as a parenthesised list.
    var hasTestList: Bool
    /// The commands of the block (nil for `;`).
    var block: [SieveNode]?
    var line: Int
    var column: Int
}

/// The recursive-descent parser of RFC 5228 §8.2.
///
///     commands   = *command
///     command    = identifier arguments (";" / block)
///     block      = "{" commands "}"
///     arguments  = *argument [ test / test-list ]
///     argument   = string-list / number / tag
///     string-list = "[" string *("," string) "]" / string
///     test       = identifier arguments
///     test-list  = "(" test *("," test) ")"
struct SieveParser {
    private var lexer: SieveLexer
    private var token: SieveToken
    private var depth = 0

    init(_ source: [UInt8]) throws(SieveCompileError) {
        guard source.count <= SieveLimits.maxScriptSize else {
            throw SieveCompileError(line: 1, column: 1, "script larger than \(SieveLimits.maxScriptSize) bytes")
        }
        lexer = SieveLexer(source)
        token = try lexer.next()
    }

    private mutating func advance() throws(SieveCompileError) { token = try lexer.next() }

    private func error(_ message: String) -> SieveCompileError {
        SieveCompileError(line: token.line, column: token.column, message)
    }

    private var shown: String {
        switch token.kind {
        case .identifier(let s): return "identifier '\(s)'"
        case .tag(let s): return "tag ':\(s)'"
        case .number(let n): return "number \(n)"
        case .string: return "string"
        case .punct(let c): return "'\(Character(UnicodeScalar(c)))'"
        case .end: return "end of script"
        }
    }

    private func isPunct(_ c: Character) -> Bool { token.kind == .punct(c.asciiValue!) }

    mutating func parseScript() throws(SieveCompileError) -> [SieveNode] {
        let commands = try parseCommands()
        guard token.kind == .end else { throw error("unexpected \(shown)") }
        return commands
    }

    private mutating func parseCommands() throws(SieveCompileError) -> [SieveNode] {
        var out: [SieveNode] = []
        while case .identifier = token.kind { out.append(try parseCommand()) }
        return out
    }

    private mutating func enter() throws(SieveCompileError) {
        depth += 1
        guard depth <= SieveLimits.maxNestingDepth else {
            throw error("nesting deeper than \(SieveLimits.maxNestingDepth) levels")
        }
    }

    private mutating func parseCommand() throws(SieveCompileError) -> SieveNode {
        var node = try parseTestOrCommandHead()
        if isPunct(";") {
            try advance()
            return node
        }
        guard isPunct("{") else { throw error("expected ';' or '{' after command '\(node.name)', found \(shown)") }
        try enter()
        try advance()
        node.block = try parseCommands()
        guard isPunct("}") else { throw error("expected '}' or a command, found \(shown)") }
        depth -= 1
        try advance()
        return node
    }

    /// identifier arguments: shared by commands and tests.
    private mutating func parseTestOrCommandHead() throws(SieveCompileError) -> SieveNode {
        guard case .identifier(let name) = token.kind else { throw error("expected a test, found \(shown)") }
        var node = SieveNode(
            name: name.lowercased(), arguments: [], tests: [], hasTestList: false, block: nil, line: token.line,
            column: token.column)
        try advance()
        while true {
            let (l, c) = (token.line, token.column)
            switch token.kind {
            case .tag(let t):
                node.arguments.append(SieveArgument(value: .tag(t.lowercased()), line: l, column: c))
                try advance()
            case .number(let n):
                node.arguments.append(SieveArgument(value: .number(n), line: l, column: c))
                try advance()
            case .string(let s):
                node.arguments.append(SieveArgument(value: .strings([s], isList: false), line: l, column: c))
                try advance()
            case .punct(UInt8(ascii: "[")):
                node.arguments.append(SieveArgument(value: .strings(try parseList(), isList: true), line: l, column: c))
            default:
                return try parseTests(into: node)
            }
        }
    }

    private mutating func parseList() throws(SieveCompileError) -> [String] {
        try advance()
        var items: [String] = []
        while true {
            guard case .string(let s) = token.kind else { throw error("expected a string in the list, found \(shown)") }
            items.append(s)
            guard items.count <= SieveLimits.maxStringListItems else {
                throw error("string list longer than \(SieveLimits.maxStringListItems) items")
            }
            try advance()
            if isPunct(",") {
                try advance()
                continue
            }
            guard isPunct("]") else { throw error("expected ',' or ']' in the string list, found \(shown)") }
            try advance()
            return items
        }
    }

    private mutating func parseTests(into node: SieveNode) throws(SieveCompileError) -> SieveNode {
        var node = node
        if isPunct("(") {
            try enter()
            node.hasTestList = true
            try advance()
            while true {
                node.tests.append(try parseTest())
                if isPunct(",") {
                    try advance()
                    continue
                }
                guard isPunct(")") else { throw error("expected ',' or ')' in the test list, found \(shown)") }
                try advance()
                break
            }
            depth -= 1
        } else if case .identifier = token.kind {
            try enter()
            node.tests.append(try parseTest())
            depth -= 1
        }
        return node
    }

    private mutating func parseTest() throws(SieveCompileError) -> SieveNode {
        try parseTestOrCommandHead()
    }
}
