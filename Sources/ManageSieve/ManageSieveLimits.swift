/// Every bound the ManageSieve server puts on its input and its accounts' scripts, in one place (each
/// has a stress test in `Tests/ManageSieveTests/LimitTests.swift`).
public struct ManageSieveLimits: Sendable, Equatable {
    /// Longest command line outside its literals, CRLF included.
    public static let defaultMaxLineLength = 8192
    /// Longest quoted string: RFC 5804 §4 limits one to 1024 octets between its quotes.
    public static let maxQuotedLength = 1024
    /// Longest atom: RFC 5804 §4 `atom = 1*1024ATOM-CHAR`.
    public static let maxAtomLength = 1024
    /// Tokens on one line, the command's name included (PUTSCRIPT and RENAMESCRIPT take two arguments).
    public static let defaultMaxArguments = 8
    /// Largest script an account may store (`sieve_max_script_size`): also the largest literal accepted.
    public static let defaultMaxScriptSize = 64 * 1024
    /// Scripts one account may store (`sieve_max_scripts`).
    public static let defaultMaxScripts = 25
    /// Commands one connection may send.
    public static let defaultMaxCommands = 100_000
    /// Commands in a row refused as malformed before the connection is closed with BYE.
    public static let defaultMaxErrors = 20
    /// Seconds without input before a connection is closed with BYE.
    public static let defaultIdleTimeoutSeconds = 300

    public var maxLineLength = defaultMaxLineLength
    public var maxArguments = defaultMaxArguments
    public var maxScriptSize = defaultMaxScriptSize
    public var maxScripts = defaultMaxScripts
    public var maxCommands = defaultMaxCommands
    public var maxErrors = defaultMaxErrors
    public var idleTimeoutSeconds = defaultIdleTimeoutSeconds

    /// The largest literal a client may send: a script of the largest size, or a SASL response.
    public var maxLiteralSize: Int { max(maxScriptSize, 16 * 1024) }

    public init() {}
}
