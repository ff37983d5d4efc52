/// The MIME module: RFC 5322 messages and RFC 2045-2049 structure, RFC 2047 encoded words, RFC 2231
/// parameters, transfer and charset decoding, and the i;unicode-casemap comparator (RFC 5051).
///
/// Everything here is pure and works on the raw bytes of a stored message: the parse result
/// (``ParsedMessage``) holds byte ranges into those bytes, never copies of parts. It has no dependency
/// on IMAP or storage; the IMAP syntax of ENVELOPE and BODYSTRUCTURE lives in IMAPSession.
///
/// Entry points: ``MessageParser/parse(_:)``, ``MIMEMessage`` (bytes + structure: sections and
/// decoding), ``EncodedWords``, ``TransferDecoding``, ``Charset``, ``UnicodeCaseMap``.
public enum MIME {}

/// Limits that keep hostile or broken mail from costing unbounded time or stack.
/// Each one has a stress test in `LimitTests`.
public enum MIMELimits {
    /// Multipart and message/rfc822 nesting below the top-level message. A part deeper than this is
    /// kept as an opaque leaf (its bytes are still reachable as a section).
    public static let maxNestingDepth = 64
    /// Body parts in one message, all levels together. Past this, a multipart stops splitting and its
    /// last part runs to the end of the multipart body.
    public static let maxParts = 10_000
    /// Header fields kept per header (the rest are still in the header bytes, but not interpreted).
    public static let maxHeaderFields = 5_000
    /// Addresses kept per address header.
    public static let maxAddresses = 10_000
    /// RFC 2231 continuation sections per parameter.
    public static let maxParameterSections = 1_000
}
