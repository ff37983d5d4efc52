import MIME

/// A failure while running (RFC 5228 §2.10.6); the message is then kept.
struct SieveRuntimeError: Error {
    var message: String
    init(_ message: String) { self.message = SieveText.oneLine(message) }

    /// The error with the line of the command that failed in front (once).
    func at(_ line: Int) -> SieveRuntimeError {
        message.hasPrefix("line ") ? self : SieveRuntimeError("line \(line): \(message)")
    }
}

/// Runs compiled programs.
public enum SieveInterpreter {
    public static func run(
        _ program: SieveProgram, message: SieveMessage, envelope: SieveEnvelope,
        environment: SieveEnvironment = SieveEnvironment()
    ) -> SieveResult {
        var run = SieveRun(program: program, message: message, envelope: envelope, env: environment)
        var result = SieveResult()
        do {
            _ = try run.runScript(program.main)
            result.actions = run.actions
            result.implicitKeep = run.keepCancelled ? nil : SieveKeep(flags: SieveFlags.normalized(run.flags))
        } catch {
            result.runtimeError = error.message
            result.implicitKeep = SieveKeep(flags: [])
        }
        result.warnings = run.warnings
        return result
    }
}

/// The state of one run: actions so far, variables, the flags internal variable (RFC 5232 §3).
struct SieveRun {
    enum Flow { case next, stop, `return` }

    let program: SieveProgram
    let message: SieveMessage
    let envelope: SieveEnvelope
    let env: SieveEnvironment
    var actions: [SieveAction] = []
    var keepCancelled = false
    var flags: [String] = []
    var vars = SieveVariables()
    var globals: [String: String] = [:]
    var usesVariables = false
    var requires: Set<String> = []
    var redirects = 0
    var actionCount = 0
    var includeStack: [SieveIncludeKey] = []
    var includedOnce: Set<SieveIncludeKey> = []
    var warnings: [String] = []

    init(program: SieveProgram, message: SieveMessage, envelope: SieveEnvelope, env: SieveEnvironment) {
        self.program = program
        self.message = message
        self.envelope = envelope
        self.env = env
    }

    /// Runs one script with its own variables (RFC 6609 §3.4), restoring the caller's afterwards.
    mutating func runScript(_ script: SieveScript) throws(SieveRuntimeError) -> Flow {
        let saved = (vars, usesVariables, requires)
        vars = SieveVariables()
        usesVariables = script.requires.contains("variables")
        requires = script.requires
        defer { (vars, usesVariables, requires) = saved }
        return try exec(script.commands)
    }

    mutating func exec(_ commands: [SieveCall]) throws(SieveRuntimeError) -> Flow {
        var branchTaken = false
        for c in commands {
            var flow = Flow.next
            switch c.name {
            case "if", "elsif":
                if c.name == "elsif" && branchTaken { continue }
                do {
                    branchTaken = try evaluate(c.tests[0])
                } catch {
                    throw error.at(c.line)
                }
                if branchTaken { flow = try exec(c.block ?? []) }
            case "else":
                if !branchTaken { flow = try exec(c.block ?? []) }
            default:
                do {
                    flow = try perform(c)
                } catch {
                    throw error.at(c.line)
                }
            }
            if flow != .next { return flow }
        }
        return .next
    }

    /// Strings of an argument with variables expanded.
    func strings(_ call: SieveCall, _ i: Int) -> [String] { call.arg(i).map(expand) }
    func string(_ call: SieveCall, _ i: Int) -> String { expand(call.argString(i)) }

    mutating func perform(_ c: SieveCall) throws(SieveRuntimeError) -> Flow {
        switch c.name {
        case "stop": return .stop
        case "return": return .return
        case "keep":
            try store("INBOX", flags: c.list("flags").map { $0.map(expand) }, create: false, id: nil, copy: false)
        case "fileinto":
            let id = c.string("mailboxid").map(expand)
            let mailbox = string(c, 0)
            guard !Self.notUTF8(mailbox) else { throw SieveRuntimeError("mailbox name is not valid UTF-8") }
            try store(
                mailbox, flags: c.list("flags").map { $0.map(expand) }, create: c.has("create"), id: id,
                copy: c.has("copy"))
        case "redirect": try redirect(string(c, 0), copy: c.has("copy"))
        case "discard":
            keepCancelled = true
            if !actions.contains(.discard) { try add(.discard) }
        case "reject", "ereject": try reject(string(c, 0), extended: c.name == "ereject")
        case "vacation": try vacation(c)
        case "set":
            try write(c.argString(0), Self.modify(string(c, 1), c))
        case "setflag", "addflag", "removeflag": try flagCommand(c)
        case "global":
            for name in c.arg(0) { vars.globalNames.insert(name.lowercased()) }
        case "include": return try include(c)
        default: throw SieveRuntimeError("unknown command '\(c.name)'")
        }
        return .next
    }

    /// Whether a text holds bytes that are not UTF-8 from an encoded character (`${hex:FF}`): Pigeonhole
    /// refuses such a mailbox name (at compile time when it is constant).
    static func notUTF8(_ s: String) -> Bool { s.unicodeScalars.contains(EncodedCharacters.notUTF8) }

    mutating func add(_ action: SieveAction) throws(SieveRuntimeError) {
        actionCount += 1
        guard actionCount <= SieveLimits.maxActions else {
            throw SieveRuntimeError("more than \(SieveLimits.maxActions) actions")
        }
        actions.append(action)
    }

    private mutating func include(_ c: SieveCall) throws(SieveRuntimeError) -> Flow {
        guard let key = c.includeKey, let script = program.included[key] else { return .next }
        // RFC 6609 §3.2: :once skips a script that ran before, whichever include ran it.
        if c.has("once"), includedOnce.contains(key) { return .next }
        includedOnce.insert(key)
        guard !includeStack.contains(key) else {
            throw SieveRuntimeError("include loop: script \"\(key.name)\" includes itself")
        }
        guard includeStack.count < SieveLimits.maxIncludeDepth else {
            throw SieveRuntimeError("includes nested deeper than \(SieveLimits.maxIncludeDepth) levels")
        }
        includeStack.append(key)
        defer { includeStack.removeLast() }
        // RFC 6609 §3.3: `return` ends the included script only; `stop` ends everything.
        return try runScript(script) == .stop ? .stop : .next
    }
}
