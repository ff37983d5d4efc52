/// Every bound the LMTP server puts on its input, in one place (each has a stress test in
/// `Tests/LMTPTests/LimitTests.swift`).
public struct LMTPLimits: Sendable, Equatable {
    /// Longest command line, CRLF included. RFC 5321 §4.5.3.1.4 asks for at least 512 octets; the
    /// parameters of MAIL and RCPT (SIZE, BODY, SMTPUTF8, long UTF-8 addresses) need more in practice.
    public static let defaultMaxLineLength = 4096
    /// Recipients accepted in one transaction. RFC 5321 §4.5.3.1.8: at least 100.
    public static let defaultMaxRecipients = 100
    /// Commands one connection may send (a connection that keeps talking forever is closed).
    public static let defaultMaxCommands = 100_000
    /// Commands in a row that were refused as malformed or out of sequence before the connection is
    /// closed with 421.
    public static let defaultMaxErrors = 20
    /// Seconds without input before a connection is closed with 421 (RFC 5321 §4.5.3.2: five minutes
    /// for a command, ten for a piece of DATA; one bound for both).
    public static let defaultIdleTimeoutSeconds = 300

    public var maxLineLength = defaultMaxLineLength
    public var maxRecipients = defaultMaxRecipients
    public var maxCommands = defaultMaxCommands
    public var maxErrors = defaultMaxErrors
    public var idleTimeoutSeconds = defaultIdleTimeoutSeconds
    /// Largest message DATA accepts (advertised as SIZE, RFC 1870): the store's append limit.
    public var maxMessageSize: Int

    public init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }
}
