/// Checks parsed nodes against ``SieveGrammar`` and the script's `require`s, giving ``SieveCall``s.
///
/// RFC 5228 §3.2: `require` only before any other command; §3.1: `elsif`/`else` only after `if`/`elsif`;
/// §2.7.3: comparators other than i;octet and i;ascii-casemap must be required; §2.6.2: tags come
/// before positional arguments; each extension's command, test and tags need its capability.
struct SieveValidator {
    let extensions: Set<String>
    var requires: Set<String> = []
    /// The errors found so far, in script order (at most ``SieveLimits/maxReportedErrors``).
    var errors: [SieveCompileError] = []
    /// Variable names used so far as local variables, and those declared `global` (lower-cased).
    var localUses: Set<String> = []
    var globalNames: Set<String> = []

    init(extensions: Set<String>) { self.extensions = extensions }

    static let relationalOperators: Set<String> = ["gt", "ge", "lt", "le", "eq", "ne"]

    private func fail(_ line: Int, _ column: Int, _ message: String) -> SieveCompileError {
        SieveCompileError(line: line, column: column, message)
    }

    mutating func validate(_ nodes: [SieveNode]) throws(SieveCompileError) -> SieveScript {
        var index = 0
        while index < nodes.count, nodes[index].name == "require" {
            try require(nodes[index])
            index += 1
        }
        let commands = block(Array(nodes[index...]))
        if let first = errors.first { throw first }
        return SieveScript(commands: commands, requires: requires)
    }

    private mutating func require(_ node: SieveNode) throws(SieveCompileError) {
        _ = try check(node, SieveGrammar.commands["require"]!)
        for arg in node.arguments {
            guard case .strings(let names, _) = arg.value else { continue }
            for name in names {
                guard extensions.contains(name) else {
                    throw fail(arg.line, arg.column, "unknown extension \"\(name)\"")
                }
                requires.insert(name)
                // RFC 5235 §3.1 and RFC 6131 §2: these extend, and imply, their base extension.
                if name == "spamtestplus" { requires.insert("spamtest") }
                if name == "vacation-seconds" { requires.insert("vacation") }
            }
        }
    }

    private func isRequired(_ exts: [String]) -> Bool { exts.isEmpty || exts.contains(where: requires.contains) }

    /// Validates each command of a block; a command in error is recorded in ``errors`` and skipped, so one
    /// pass reports several errors.
    private mutating func block(_ nodes: [SieveNode]) -> [SieveCall] {
        var out: [SieveCall] = []
        var previous: String?
        for node in nodes {
            do {
                out.append(try command(node, after: previous))
            } catch {
                if errors.count < SieveLimits.maxReportedErrors { errors.append(error) }
            }
            previous = node.name
        }
        return out
    }

    private mutating func command(_ node: SieveNode, after previous: String?) throws(SieveCompileError) -> SieveCall {
        if node.name == "require" {
            throw fail(node.line, node.column, "require is only allowed before any other command")
        }
        guard let spec = SieveGrammar.commands[node.name] else {
            throw fail(node.line, node.column, "unknown command '\(node.name)'")
        }
        if node.name == "elsif" || node.name == "else" {
            guard previous == "if" || previous == "elsif" else {
                throw fail(node.line, node.column, "'\(node.name)' without a preceding 'if'")
            }
        }
        return try check(node, spec)
    }

    private mutating func test(_ node: SieveNode) throws(SieveCompileError) -> SieveCall {
        guard let spec = SieveGrammar.tests[node.name] else {
            if SieveGrammar.commands[node.name] != nil {
                throw fail(node.line, node.column, "'\(node.name)' is a command, not a test")
            }
            throw fail(node.line, node.column, "unknown test '\(node.name)'")
        }
        return try check(node, spec)
    }

    private mutating func check(_ node: SieveNode, _ spec: SieveSpec) throws(SieveCompileError) -> SieveCall {
        let what = spec.isTest ? "test" : "command"
        guard isRequired(spec.extensions) else {
            throw fail(
                node.line, node.column,
                "\(what) '\(node.name)' needs require \"\(spec.extensions[0])\"")
        }
        var call = SieveCall(
            name: node.name, tags: [:], positional: [], tests: [], block: nil, line: node.line, column: node.column)
        var groups: [String: String] = [:]
        var values: [SieveArgument] = []
        var k = 0
        let args = node.arguments
        while k < args.count {
            let arg = args[k]
            guard case .tag(let name) = arg.value else {
                values.append(arg)
                k += 1
                continue
            }
            guard values.isEmpty else {
                throw fail(arg.line, arg.column, "tag ':\(name)' after the positional arguments of '\(node.name)'")
            }
            guard let tag = spec.tags.first(where: { $0.name == name }), isRequired(tag.extensions) else {
                throw fail(arg.line, arg.column, "unknown tag ':\(name)' for \(what) '\(node.name)'")
            }
            if let other = groups[tag.group] {
                let message =
                    other == name
                    ? "tag ':\(name)' given twice" : "tag ':\(name)' conflicts with ':\(other)'"
                throw fail(arg.line, arg.column, message)
            }
            groups[tag.group] = name
            k += 1
            if let kind = tag.value {
                guard k < args.count, let v = try value(args[k], kind) else {
                    throw fail(arg.line, arg.column, "tag ':\(name)' needs \(kind.noun)")
                }
                // Comparator names are matched case-insensitively (RFC 4790 §3.1).
                if name == "comparator", case .string(let c) = v {
                    call.tags[name] = .string(c.lowercased())
                } else {
                    call.tags[name] = v
                }
                k += 1
            } else {
                call.tags[name] = .present
            }
        }
        let minimum = spec.positional.count - spec.optionalLeading
        guard values.count >= minimum, values.count <= spec.positional.count else {
            let expected =
                minimum == spec.positional.count ? "\(minimum)" : "\(minimum) or \(spec.positional.count)"
            throw fail(
                node.line, node.column,
                "\(what) '\(node.name)' takes \(expected) positional arguments, not \(values.count)")
        }
        let skipped = spec.positional.count - values.count
        call.positional = Array(repeating: nil, count: skipped)
        for (i, arg) in values.enumerated() {
            let kind = spec.positional[skipped + i]
            guard let v = try value(arg, kind) else {
                throw fail(arg.line, arg.column, "argument \(skipped + i + 1) of '\(node.name)' must be \(kind.noun)")
            }
            call.positional.append(v)
        }
        try trackVariables(call, node)
        try checkTests(node, spec)
        for t in node.tests { call.tests.append(try test(t)) }
        if let b = node.block {
            guard spec.block else { throw fail(node.line, node.column, "command '\(node.name)' takes no block") }
            call.block = block(b)
        } else if spec.block {
            throw fail(node.line, node.column, "command '\(node.name)' needs a block")
        }
        try checkSemantics(call, node)
        return call
    }

    private func checkTests(_ node: SieveNode, _ spec: SieveSpec) throws(SieveCompileError) {
        let what = spec.isTest ? "test" : "command"
        switch spec.tests {
        case .none:
            guard node.tests.isEmpty else { throw fail(node.line, node.column, "\(what) '\(node.name)' takes no test") }
        case .one:
            guard node.tests.count == 1, !node.hasTestList else {
                throw fail(node.line, node.column, "\(what) '\(node.name)' needs exactly one test")
            }
        case .list:
            guard node.hasTestList, !node.tests.isEmpty else {
                throw fail(node.line, node.column, "test '\(node.name)' needs a test list")
            }
        }
    }

    /// Converts an argument to the kind asked for (a single string is a one-item list, §2.4.2.1), with
    /// encoded characters decoded when "encoded-character" is required (RFC 5228 §2.4.2.4).
    private func value(_ arg: SieveArgument, _ kind: SieveArgKind) throws(SieveCompileError) -> SieveValue? {
        let decode = requires.contains("encoded-character")
        func decoded(_ s: String) throws(SieveCompileError) -> String {
            guard decode else { return s }
            do {
                return try EncodedCharacters.decode(s)
            } catch {
                throw fail(
                    arg.line, arg.column, "invalid unicode character \"\(error.digits)\" in an encoded character")
            }
        }
        switch (arg.value, kind) {
        case (.number(let n), .number): return .number(n)
        case (.strings(let s, false), .string): return .string(try decoded(s[0]))
        case (.strings(let s, _), .stringList):
            var out: [String] = []
            for item in s { out.append(try decoded(item)) }
            return .list(out)
        default: return nil
        }
    }
}
