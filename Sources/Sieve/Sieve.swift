/// Sieve (RFC 5228) as a pure module: parse → validate → execute, with no I/O of its own.
///
/// Entry points:
/// - ``Sieve/compile(source:extensions:includeResolver:)`` parses and validates a script (and the
///   scripts it includes, RFC 6609) into a ``SieveProgram``, or throws the first ``SieveCompileError``.
/// - ``Sieve/validate(source:extensions:includeResolver:)`` returns the errors instead (ManageSieve
///   CHECKSCRIPT/PUTSCRIPT and `postern sieve check`).
/// - ``Sieve/capabilities`` is the SIEVE capability line ManageSieve announces (RFC 5804 §1.7).
/// - ``SieveInterpreter/run(_:message:envelope:environment:)`` executes a program against a message and
///   gives a ``SieveResult``: the explicit actions (merged as Pigeonhole merges them, plus
///   ``SieveAction/trackDuplicate(id:handle:seconds:)`` for the delivery layer to record), the implicit
///   keep, a runtime error if any.
/// - ``SieveOutput`` prints a result as the canonical JSON or as sieve-test's listing.
/// - ``SieveVacationPolicy/decide(_:message:envelope:environment:)`` says whether a vacation reply may
///   be sent (RFC 5230 §4.5, §5); the `:days` window is the delivery layer's (keyed by the handle).
///
/// Everything the script may learn about the world (date, mailboxes, duplicate tracking, included
/// scripts, spam/virus header settings, the user's addresses) comes through ``SieveEnvironment``.
/// Every limit is in ``SieveLimits``.
public enum Sieve {
    /// The extensions this implementation knows (the `require` capability strings).
    public static let allExtensions: Set<String> = [
        "fileinto", "envelope", "encoded-character", "mailbox", "copy", "imap4flags", "body", "relational",
        "variables", "subaddress", "date", "index", "reject", "ereject", "vacation", "vacation-seconds", "include",
        "duplicate", "spamtest", "spamtestplus", "virustest", "mailboxid", "environment", "mboxmetadata",
        "servermetadata",
        "comparator-i;octet", "comparator-i;ascii-casemap", "comparator-i;ascii-numeric",
    ]

    /// The extensions, space-separated and sorted, as ManageSieve's SIEVE capability lists them.
    public static var capabilities: String { allExtensions.sorted().joined(separator: " ") }

    /// Parses and validates `source`; includes are resolved through `includeResolver` now (RFC 6609's
    /// missing-script check is a compile-time one, as in Pigeonhole).
    public static func compile(
        source: [UInt8], extensions: Set<String> = allExtensions,
        includeResolver: SieveIncludeResolver? = nil
    ) throws(SieveCompileError) -> SieveProgram {
        var linker = SieveLinker(extensions: extensions, resolver: includeResolver)
        return try linker.compileMain(source)
    }

    /// The errors of `source` (empty when it is valid): a syntax error stops the reading, so it comes
    /// alone; otherwise every command in error is reported, up to ``SieveLimits/maxReportedErrors``.
    public static func validate(
        source: [UInt8], extensions: Set<String> = allExtensions,
        includeResolver: SieveIncludeResolver? = nil
    ) -> [SieveCompileError] {
        var linker = SieveLinker(extensions: extensions, resolver: includeResolver)
        do {
            _ = try linker.compileMain(source)
            return []
        } catch {
            return linker.errors.isEmpty ? [error] : linker.errors
        }
    }
}

/// A script that did not compile: where (1-based line and column) and why, in one line.
public struct SieveCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    /// The included script the error is in (nil for the main script).
    public var script: String?

    public init(line: Int, column: Int, _ message: String, script: String? = nil) {
        self.line = line
        self.column = column
        self.message = SieveText.oneLine(message)
        self.script = script.map(SieveText.oneLine)
    }

    public var description: String {
        let prefix = script.map { "included script \"\($0)\": " } ?? ""
        return "\(prefix)line \(line), column \(column): \(message)"
    }
}

/// Every limit of the module, in one place. Each has a stress test in `Tests/SieveTests/LimitTests`.
public enum SieveLimits {
    /// Largest script accepted, in bytes.
    public static let maxScriptSize = 1 << 20
    /// Deepest nesting of blocks and tests (a block and a test list each count one).
    public static let maxNestingDepth = 32
    /// Most explicit actions one run may perform (Pigeonhole's sieve_max_actions default).
    public static let maxActions = 32
    /// Most redirects one message may cause (Pigeonhole's sieve_max_redirects default).
    public static let maxRedirects = 4
    /// Deepest chain of includes (RFC 6609 §3.2 leaves it to the implementation).
    public static let maxIncludeDepth = 10
    /// Most distinct scripts one program may include.
    public static let maxIncludedScripts = 255
    /// Longest string (literal or computed) kept; longer values are truncated at runtime and refused
    /// in scripts.
    public static let maxStringLength = 4096
    /// Most variables one script scope may hold (RFC 5229 §4 lets an implementation limit them).
    public static let maxVariables = 255
    /// Most bytes one variable holds (longer values are truncated, RFC 5229 §4).
    public static let maxVariableSize = 4096
    /// Highest match variable index kept (${0}..${9}, RFC 5229 §3.2).
    public static let maxMatchVariables = 10
    /// Most header field values one test examines per header name.
    public static let maxHeaderValues = 1000
    /// Most items in one string list.
    public static let maxStringListItems = 1000
    /// Most errors one validation reports.
    public static let maxReportedErrors = 20
    /// Most comparison steps one test's matching may take (a value × key product that large is refused
    /// with a runtime error rather than computed).
    public static let maxMatchSteps = 20_000_000
    /// Longest error message (compile or runtime), in characters; script text in it is cut to fit.
    public static let maxMessageLength = 200
    /// Most bytes of a decoded body the body test searches.
    public static let maxBodySize = 1 << 20
}

/// Text from a script made fit for a one-line message.
enum SieveText {
    /// Control characters become "?", and a long text is cut with "...".
    static func oneLine(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            out.unicodeScalars.append(c.value < 0x20 || c.value == 0x7F ? "?" : c)
        }
        let limit = SieveLimits.maxMessageLength
        return out.count > limit ? String(out.prefix(limit)) + "..." : out
    }
}
