/// Every limit the IMAP client enforces on what a server sends, in one place.
///
/// Each limit has a stress test in `Tests/IMAPClientTests/ClientLimitTests.swift`.
public struct ClientLimits: Sendable, Hashable {
    /// Longest response line, in bytes, not counting its CRLF and not counting literal data.
    public var maxLineLength: Int
    /// Largest literal kept in memory (mailbox names, quoted text...). A larger one goes to the
    /// caller's literal sink when one is set, and is an error otherwise.
    public var maxInlineLiteral: Int
    /// Largest literal accepted at all, even by a sink (a message body).
    public var maxLiteral: Int
    /// Largest total of the lines and in-memory literals of one response.
    public var maxResponseSize: Int
    /// Most literals in one response.
    public var maxLiteralsPerResponse: Int

    public init(
        maxLineLength: Int = 64 * 1024,
        maxInlineLiteral: Int = 64 * 1024,
        maxLiteral: Int = 64 * 1024 * 1024,
        maxResponseSize: Int = 1024 * 1024,
        maxLiteralsPerResponse: Int = 1024
    ) {
        self.maxLineLength = maxLineLength
        self.maxInlineLiteral = maxInlineLiteral
        self.maxLiteral = maxLiteral
        self.maxResponseSize = maxResponseSize
        self.maxLiteralsPerResponse = maxLiteralsPerResponse
    }

    public static let `default` = ClientLimits()
}
