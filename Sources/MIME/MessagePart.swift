/// Content-Disposition (RFC 2183): the disposition type as written and its parameters.
public struct ContentDisposition: Sendable, Hashable {
    public var type: [UInt8]
    public var parameters: [MIMEParameter]

    public init(type: [UInt8], parameters: [MIMEParameter]) {
        self.type = type
        self.parameters = parameters
    }
}

/// One node of a message's MIME tree (RFC 2045 §2.4-2.6, RFC 2046), as byte ranges into the message
/// plus the header values that FETCH BODYSTRUCTURE (RFC 9051 §7.5.2) needs.
///
/// The top-level message is a part too: its ``header`` is the message header and it carries an
/// ``envelope``. A message/rfc822 part has its encapsulated message in ``encapsulated`` (again a part
/// with a header and an envelope); a multipart has its body parts in ``parts``.
///
/// Type, subtype, parameter names and the like keep the case they were written in (as Dovecot shows
/// them); the defaults of RFC 2045 §5.2 are lower case: `text`/`plain` with `charset=us-ascii`, or
/// `message`/`rfc822` inside multipart/digest (RFC 2046 §5.1.5).
public struct MessagePart: Sendable, Hashable {
    /// The part's header including its terminating blank line: the MIME header of a body part, the
    /// message header of a message (RFC 9051 §6.4.5 MIME and HEADER).
    public var header: Range<Int>
    /// The body: everything after the header, up to (not including) the line break before the next
    /// boundary delimiter for a part inside a multipart.
    public var body: Range<Int>
    public var type: String
    public var subtype: String
    public var parameters: [MIMEParameter]
    /// Content-ID (RFC 2045 §7), raw.
    public var id: [UInt8]?
    /// Content-Description (RFC 2045 §8), raw (may hold encoded words or 8-bit bytes).
    public var description: [UInt8]?
    /// The Content-Transfer-Encoding BODYSTRUCTURE shows (RFC 2045 §6), as written: the first such field whose
    /// value is one token (a field holding anything else is passed over, as Dovecot does); nil when there is
    /// none (BODYSTRUCTURE then shows 7BIT).
    public var encoding: [UInt8]?
    /// The encoding the body is decoded with (FETCH BINARY, SEARCH): from the last Content-Transfer-Encoding
    /// field, read by ``TransferEncoding/init(fieldValue:)``. It can differ from ``encoding``: with two fields
    /// Dovecot shows the first and decodes with the last, and a misspelled or empty value is shown as 7BIT but
    /// is an unknown encoding (UNKNOWN-CTE, RFC 3516 §4.3; not searched, RFC 2045 §6.4).
    public var transferEncoding: TransferEncoding
    /// Content-MD5 (RFC 1864), raw.
    public var md5: [UInt8]?
    public var disposition: ContentDisposition?
    /// Content-Language (RFC 3282) tags; nil when absent.
    public var language: [[UInt8]]?
    /// Content-Location (RFC 2557), unfolded with white space removed.
    public var location: [UInt8]?
    /// Lines in the body (line feeds counted, as Dovecot does); RFC 9051 asks for it on text/* and
    /// message/rfc822 parts.
    public var lineCount: Int
    /// The header had a usable Content-Type field.
    public var hasContentType: Bool
    /// Body parts of a multipart (never empty for a multipart: a multipart whose delimiters are missing
    /// gets one empty text/plain part, as Dovecot does).
    public var parts: [MessagePart]
    /// The envelope, for the top-level message and for encapsulated messages.
    public var envelope: Envelope?
    var encapsulatedStorage: [MessagePart]

    /// The encapsulated message of a message/rfc822 (or message/global) part.
    public var encapsulated: MessagePart? {
        get { encapsulatedStorage.first }
        set { encapsulatedStorage = newValue.map { [$0] } ?? [] }
    }

    public init(header: Range<Int>, body: Range<Int>) {
        self.header = header
        self.body = body
        self.type = "text"
        self.subtype = "plain"
        self.parameters = [MIMEParameter(name: "charset", value: Array("us-ascii".utf8))]
        self.transferEncoding = .sevenBit
        self.lineCount = 0
        self.hasContentType = false
        self.parts = []
        self.encapsulatedStorage = []
    }

    /// Size of the body in octets (RFC 9051 body-fld-octets).
    public var size: Int { body.count }
    public var isMultipart: Bool { ASCII.equalsIgnoringCase(type.utf8, "multipart") }
    /// message/rfc822 or message/global (RFC 6532 §3.5): the types whose body is a message.
    public var isMessage: Bool {
        ASCII.equalsIgnoringCase(type.utf8, "message")
            && (ASCII.equalsIgnoringCase(subtype.utf8, "rfc822") || ASCII.equalsIgnoringCase(subtype.utf8, "global"))
    }
    public var isText: Bool { ASCII.equalsIgnoringCase(type.utf8, "text") }

    /// The value of a Content-Type parameter, decoded (RFC 2231, or RFC 2047 as found in the wild).
    public func parameter(_ name: String) -> String? { MIMEParameters.decodedValue(of: name, in: parameters) }

    /// The charset parameter, lower-cased (nil when absent).
    public var charset: String? { MIMEParameters.rawValue(of: "charset", in: parameters).map(ASCII.lowercased) }

    /// The file name from Content-Disposition's filename, else Content-Type's name, decoded.
    public var fileName: String? {
        if let d = disposition, let f = MIMEParameters.decodedValue(of: "filename", in: d.parameters) { return f }
        return parameter("name")
    }
}
