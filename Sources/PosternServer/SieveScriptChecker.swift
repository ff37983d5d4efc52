import Sieve

/// One thing a Sieve compiler found in a script: an error, or (when `isWarning`) a warning.
public struct ScriptProblem: Sendable, Equatable {
    /// 1-based line and column of where it was found.
    public var line: Int
    public var column: Int
    public var message: String
    public var isWarning: Bool

    public init(line: Int, column: Int, message: String, isWarning: Bool = false) {
        self.line = line
        self.column = column
        self.message = message
        self.isWarning = isWarning
    }

    /// `line L, column C: message`, as PUTSCRIPT and CHECKSCRIPT report it.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Validates Sieve scripts for ManageSieve PUTSCRIPT and CHECKSCRIPT (RFC 5804 §2.6, §2.12) and
/// `postern sieve put`: the Sieve compiler is plugged in here. A script with any problem that is not a
/// warning is refused.
public protocol SieveScriptChecker: Sendable {
    func check(_ script: [UInt8]) -> [ScriptProblem]
    /// The extensions the compiler supports, as the SIEVE capability lists them (RFC 5804 §1.7).
    var extensions: [String] { get }
}

/// The Sieve compiler as ManageSieve's and `postern sieve put`'s checker: a script must be UTF-8 (RFC 5228
/// §2.1) and compile. Included scripts are not looked up at upload (RFC 6609 §3.2: a missing one is no
/// upload error); delivery compiles the script with its includes, and a failure there keeps the message.
public struct CompilingScriptChecker: SieveScriptChecker {
    /// Every extension the compiler knows (RFC 5804 §1.7: the SIEVE capability).
    public var extensions: [String] { Sieve.allExtensions.sorted() }

    public init() {}

    public func check(_ script: [UInt8]) -> [ScriptProblem] {
        if let problem = Self.utf8Problem(script) { return [problem] }
        return Sieve.validate(source: script, includeResolver: { _, _ in [] }).map {
            ScriptProblem(line: $0.line, column: $0.column, message: $0.message)
        }
    }

    /// Where the script stops being UTF-8, or nil when it is.
    static func utf8Problem(_ script: [UInt8]) -> ScriptProblem? {
        guard String(validating: script, as: UTF8.self) == nil else { return nil }
        var line = 1
        var column = 1
        var index = 0
        // The first byte that is not part of valid UTF-8: good prefixes decode, so grow one until it fails.
        while index < script.count {
            let rest = script[index...]
            let length = Self.sequenceLength(rest)
            guard let length, String(validating: rest.prefix(length), as: UTF8.self) != nil else { break }
            if script[index] == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        return ScriptProblem(line: line, column: column, message: "the script is not UTF-8")
    }

    private static func sequenceLength(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = bytes.first else { return nil }
        let length =
            switch first {
            case 0x00...0x7F: 1
            case 0xC2...0xDF: 2
            case 0xE0...0xEF: 3
            case 0xF0...0xF4: 4
            default: 0
            }
        return length > 0 && bytes.count >= length ? length : nil
    }
}

/// The checker `postern serve` (ManageSieve) and `postern sieve put` use: the one place where the Sieve
/// compiler is plugged in.
public enum SieveScriptCheckers {
    public static let standard: any SieveScriptChecker = CompilingScriptChecker()
}
