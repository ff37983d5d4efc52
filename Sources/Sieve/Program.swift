/// A validated argument value.
enum SieveValue: Equatable, Sendable {
    case string(String)
    case list([String])
    case number(UInt64)
    /// A tag without a value.
    case present

    var strings: [String] {
        switch self {
        case .string(let s): return [s]
        case .list(let l): return l
        default: return []
        }
    }
}

/// A validated command or test, ready to run.
struct SieveCall: Equatable, Sendable {
    var name: String
    var tags: [String: SieveValue]
    /// The positional arguments in spec order; a left-out optional leading one is nil.
    var positional: [SieveValue?]
    var tests: [SieveCall]
    var block: [SieveCall]?
    var line: Int
    var column: Int
    /// For `include`: the key of the linked script (nil when optional and missing).
    var includeKey: SieveIncludeKey?

    func has(_ tag: String) -> Bool { tags[tag] != nil }
    func string(_ tag: String) -> String? {
        if case .string(let s)? = tags[tag] { return s }
        return nil
    }
    func list(_ tag: String) -> [String]? { tags[tag]?.strings }
    func number(_ tag: String) -> UInt64? {
        if case .number(let n)? = tags[tag] { return n }
        return nil
    }
    func arg(_ i: Int) -> [String] { positional[i]?.strings ?? [] }
    func argString(_ i: Int) -> String { arg(i).first ?? "" }
}

/// Where an included script lives (RFC 6609 §3.2).
public enum SieveIncludeLocation: String, Sendable, Hashable {
    case personal, global
}

/// An included script's identity.
public struct SieveIncludeKey: Hashable, Sendable {
    public var name: String
    public var location: SieveIncludeLocation
}

/// Gives the source of an included script, nil when it does not exist.
public typealias SieveIncludeResolver = @Sendable (_ name: String, _ location: SieveIncludeLocation) -> [UInt8]?

/// One compiled script.
struct SieveScript: Equatable, Sendable {
    var commands: [SieveCall]
    var requires: Set<String>
}

/// A compiled main script and every script it includes, directly or not.
public struct SieveProgram: Sendable {
    var main: SieveScript
    var included: [SieveIncludeKey: SieveScript]
    /// The capabilities the main script requires.
    public var requires: Set<String> { main.requires }
    /// Whether a command or test called `name` (lower case) appears in the main script or any script it
    /// includes: the delivery layer reads what only some tests need (the folder list for
    /// `mailboxexists`) for the scripts that have them.
    public func uses(_ name: String) -> Bool {
        func walk(_ calls: [SieveCall]) -> Bool {
            calls.contains { $0.name == name || walk($0.tests) || walk($0.block ?? []) }
        }
        return walk(main.commands) || included.values.contains { walk($0.commands) }
    }
}

/// Compiles the main script and, depth first, each script it includes (each once).
struct SieveLinker {
    let extensions: Set<String>
    let resolver: SieveIncludeResolver?
    var included: [SieveIncludeKey: SieveScript] = [:]
    /// The scripts being compiled, outermost first: an include of one of them without :once is a loop.
    var compiling: [SieveIncludeKey] = []
    /// Every error of the script that failed (the first is the one thrown).
    var errors: [SieveCompileError] = []

    init(extensions: Set<String>, resolver: SieveIncludeResolver?) {
        self.extensions = extensions
        self.resolver = resolver
    }

    mutating func compileMain(_ source: [UInt8]) throws(SieveCompileError) -> SieveProgram {
        let main = try compile(source, depth: 0, name: nil)
        return SieveProgram(main: main, included: included)
    }

    private mutating func compile(
        _ source: [UInt8], depth: Int, name: String?
    ) throws(SieveCompileError)
        -> SieveScript
    {
        var script: SieveScript
        var validator = SieveValidator(extensions: extensions)
        do {
            var parser = try SieveParser(source)
            script = try validator.validate(try parser.parseScript())
        } catch {
            let all = validator.errors.isEmpty ? [error] : validator.errors
            errors = all.map { e in
                var e = e
                if e.script == nil { e.script = name }
                return e
            }
            throw errors[0]
        }
        script.commands = try link(script.commands, depth: depth, name: name)
        return script
    }

    private mutating func link(
        _ calls: [SieveCall], depth: Int, name: String?
    ) throws(SieveCompileError)
        -> [SieveCall]
    {
        var out = calls
        for i in out.indices {
            if let block = out[i].block { out[i].block = try link(block, depth: depth, name: name) }
            guard out[i].name == "include" else { continue }
            let call = out[i]
            let key = SieveIncludeKey(
                name: call.argString(0), location: call.has("global") ? .global : .personal)
            func fail(_ message: String) -> SieveCompileError {
                SieveCompileError(line: call.line, column: call.column, message, script: name)
            }
            if compiling.contains(key), !call.has("once") {
                throw fail("circular include of script \"\(key.name)\"")
            }
            if included[key] != nil {
                out[i].includeKey = key
                continue
            }
            guard depth + 1 <= SieveLimits.maxIncludeDepth else {
                throw fail("includes nested deeper than \(SieveLimits.maxIncludeDepth) levels")
            }
            guard let source = resolver?(key.name, key.location) else {
                if call.has("optional") { continue }
                throw fail("included \(key.location.rawValue) script \"\(key.name)\" does not exist")
            }
            guard included.count < SieveLimits.maxIncludedScripts else {
                throw fail("more than \(SieveLimits.maxIncludedScripts) included scripts")
            }
            // A placeholder first, so a script that includes itself links to itself instead of looping.
            included[key] = SieveScript(commands: [], requires: [])
            compiling.append(key)
            included[key] = try compile(source, depth: depth + 1, name: key.name)
            compiling.removeLast()
            out[i].includeKey = key
        }
        return out
    }
}
