/// Every limit the wire layer enforces, in one place.
///
/// Each limit has a stress test in `Tests/IMAPWireTests/LimitStressTests.swift`.
public struct IMAPLimits: Sendable, Hashable {
    /// Longest line of a command, in bytes, not counting its CRLF and not counting literal data.
    /// A longer line is fatal: the server cannot find the end of the command safely.
    public var maxLineLength: Int
    /// Largest literal accepted anywhere except as an APPEND message (mailbox names, passwords, search strings...).
    public var maxShortLiteralSize: Int
    /// Largest total size of a non-APPEND command: every line and every literal together.
    public var maxCommandSize: Int
    /// Largest APPEND message (RFC 7889 APPENDLIMIT). The session rejects larger ones (`[TOOBIG]`).
    public var maxAppendSize: Int
    /// Deepest nesting of SEARCH keys (parentheses, NOT, OR).
    public var maxSearchDepth: Int
    /// Most ranges in one sequence set.
    public var maxSequenceRanges: Int
    /// Most literals in one non-APPEND command.
    public var maxLiteralsPerCommand: Int
    /// Largest refused non-synchronizing literal the framer skips before answering BAD; a larger one is fatal.
    public var maxNonSyncLiteralSkip: Int
    /// Largest chunk of APPEND message bytes delivered in one `.appendMessageBytes` event.
    public var maxAppendChunkSize: Int
    /// Most bytes read from the start of a message to find the header fields SORT and THREAD compare
    /// (Subject, From, To, Cc, Date, Message-ID, References, In-Reply-To); fields past it count as absent.
    public var maxSortHeaderBytes: Int
    /// Most message ids kept from one References field for THREAD=REFERENCES (the last ones: the
    /// nearest ancestors).
    public var maxThreadReferences: Int

    public init(
        maxLineLength: Int = 64 * 1024,
        maxShortLiteralSize: Int = 8 * 1024,
        maxCommandSize: Int = 256 * 1024,
        maxAppendSize: Int = 64 * 1024 * 1024,
        maxSearchDepth: Int = 64,
        maxSequenceRanges: Int = 10_000,
        maxLiteralsPerCommand: Int = 32,
        maxNonSyncLiteralSkip: Int = 1024 * 1024,
        maxAppendChunkSize: Int = 64 * 1024,
        maxSortHeaderBytes: Int = 64 * 1024,
        maxThreadReferences: Int = 128
    ) {
        self.maxLineLength = maxLineLength
        self.maxShortLiteralSize = maxShortLiteralSize
        self.maxCommandSize = maxCommandSize
        self.maxAppendSize = maxAppendSize
        self.maxSearchDepth = maxSearchDepth
        self.maxSequenceRanges = maxSequenceRanges
        self.maxLiteralsPerCommand = maxLiteralsPerCommand
        self.maxNonSyncLiteralSkip = maxNonSyncLiteralSkip
        self.maxAppendChunkSize = maxAppendChunkSize
        self.maxSortHeaderBytes = maxSortHeaderBytes
        self.maxThreadReferences = maxThreadReferences
    }

    public static let `default` = IMAPLimits()

    /// ID (RFC 2971 §3.3): at most 30 field-value pairs, fields of at most 30 octets, values of at most
    /// 1024 octets. Fixed by the RFC, so not adjustable per server.
    public static let maxIDPairs = 30
    public static let maxIDFieldLength = 30
    public static let maxIDValueLength = 1024
}
