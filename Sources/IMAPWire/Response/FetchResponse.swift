import NIOCore

/// nz-number SP "FETCH" SP msg-att: one message's data items, in the order given; or, once a client
/// enabled UIDONLY, uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att (RFC 9586 §3.3), where the
/// number is the message's UID.
public struct FetchResponse: Sendable, Hashable {
    /// The message sequence number, or the UID when `uidFetch`.
    public var sequenceNumber: UInt32
    public var attributes: [MessageAttribute]
    /// Written as UIDFETCH (RFC 9586).
    public var uidFetch: Bool

    public init(sequenceNumber: UInt32, attributes: [MessageAttribute], uidFetch: Bool = false) {
        self.sequenceNumber = sequenceNumber
        self.attributes = attributes
        self.uidFetch = uidFetch
    }
}

/// msg-att-dynamic / msg-att-static (RFC 9051 §7.5.2), with RFC 3516 BINARY, RFC 7162 MODSEQ,
/// RFC 8514 SAVEDATE and RFC 8474 EMAILID/THREADID.
public enum MessageAttribute: Sendable, Hashable {
    /// "UID" SP uniqueid
    case uid(UInt32)
    /// "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
    case flags([Flag])
    /// "INTERNALDATE" SP date-time
    case internalDate(InternalDate)
    /// "RFC822.SIZE" SP number64
    case rfc822Size(Int)
    /// "MODSEQ" SP "(" permsg-modsequence ")"
    case modSeq(UInt64)
    /// "SAVEDATE" SP (date-time / nil)
    case saveDate(InternalDate?)
    /// "EMAILID" SP "(" objectid ")"
    case emailID(String)
    /// "THREADID" SP ("(" objectid ")" / nil)
    case threadID(String?)
    /// PREVIEW nstring (RFC 8970 §7): NIL when there is no text to show.
    case preview(String?)
    /// "ENVELOPE" SP envelope
    case envelope(FetchEnvelope)
    /// "BODY" SP body: the structure without extension data.
    case body(FetchBody)
    /// "BODYSTRUCTURE" SP body: the structure with extension data.
    case bodyStructure(FetchBody)
    /// "BODY" section ["<" number ">"] SP nstring: message text, always a literal (NIL when absent).
    case bodySection(SectionSpec, origin: UInt32?, data: ByteBuffer?)
    /// "RFC822" / "RFC822.HEADER" / "RFC822.TEXT" SP nstring (RFC 3501)
    case rfc822(ByteBuffer?)
    case rfc822Header(ByteBuffer?)
    case rfc822Text(ByteBuffer?)
    /// "BINARY" section-binary ["<" number ">"] SP (nstring / literal8) (RFC 3516 §4.2)
    case binary(part: [Int], origin: UInt32?, data: ByteBuffer?)
    /// "BINARY.SIZE" section-binary SP number (RFC 3516 §4.2)
    case binarySize(part: [Int], size: Int)
    /// An item whose value is given as this encoder wrote it earlier (`ResponseEncoder.encodeValue`):
    /// an engine may keep the encoding of values that never change (the ENVELOPE and BODYSTRUCTURE of
    /// a stored message) and hand it back instead of the value. The bytes are not checked.
    case encoded(EncodedItem, [UInt8])
}

/// The items whose encoded value can be handed back (`MessageAttribute.encoded`).
public enum EncodedItem: String, Sendable, Hashable {
    case flags = "FLAGS"
    case envelope = "ENVELOPE"
    case body = "BODY"
    case bodyStructure = "BODYSTRUCTURE"
}

/// The beginning of a FETCH data item whose bytes follow in pieces (`FetchResponsePart`).
public enum StreamingAttribute: Sendable, Hashable {
    case bodySection(SectionSpec, origin: UInt32?)
    case binary(part: [Int], origin: UInt32?)
    case rfc822
    case rfc822Header
    case rfc822Text
}

/// A FETCH response written in pieces, so that a large message is never held whole: `.start`, any
/// number of `.attribute`s and streamed items (`.streamingBegin`, its bytes in any number of
/// `.streamingBytes`, `.streamingEnd`), then `.finish`. The bytes are the same as those of the
/// equivalent `UntaggedResponse.fetch`.
public enum FetchResponsePart: Sendable, Hashable {
    /// The start of the line: the sequence number, or the UID of a UIDFETCH (RFC 9586 §3.3).
    case start(sequenceNumber: UInt32, uidFetch: Bool = false)
    case attribute(MessageAttribute)
    /// The item's name and literal header; `byteCount` is the number of bytes that follow. `binary`
    /// data containing NUL must be announced with `containsNUL` (a literal8); message text may not
    /// contain NUL (the caller sends 0x80 instead, as `MessageAttribute.bodySection` does).
    case streamingBegin(StreamingAttribute, byteCount: Int, containsNUL: Bool = false)
    case streamingBytes([UInt8])
    case streamingEnd
    case finish
}

/// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
///            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
///
/// Values are header bytes as written (nstring): quoted when every byte can be, literals otherwise.
public struct FetchEnvelope: Sendable, Hashable {
    public var date: [UInt8]?
    public var subject: [UInt8]?
    /// Each list is NIL when empty.
    public var from: [FetchAddress]
    public var sender: [FetchAddress]
    public var replyTo: [FetchAddress]
    public var to: [FetchAddress]
    public var cc: [FetchAddress]
    public var bcc: [FetchAddress]
    public var inReplyTo: [UInt8]?
    public var messageID: [UInt8]?

    public init(
        date: [UInt8]? = nil, subject: [UInt8]? = nil, from: [FetchAddress] = [], sender: [FetchAddress] = [],
        replyTo: [FetchAddress] = [], to: [FetchAddress] = [], cc: [FetchAddress] = [], bcc: [FetchAddress] = [],
        inReplyTo: [UInt8]? = nil, messageID: [UInt8]? = nil
    ) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }
}

/// address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"; a group is its start
/// (host NIL, mailbox the group name) and end (mailbox and host NIL) markers.
public struct FetchAddress: Sendable, Hashable {
    public var name: [UInt8]?
    public var adl: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]?, adl: [UInt8]?, mailbox: [UInt8]?, host: [UInt8]?) {
        self.name = name
        self.adl = adl
        self.mailbox = mailbox
        self.host = host
    }
}

/// body = "(" (body-type-1part / body-type-mpart) ")". Extension data is written only for
/// BODYSTRUCTURE.
public indirect enum FetchBody: Sendable, Hashable {
    case singlePart(FetchSinglePart)
    /// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    case multipart(parts: [FetchBody], subtype: [UInt8], extension: FetchBodyExtension)
}

/// body-type-basic / body-type-msg / body-type-text and body-ext-1part.
public struct FetchSinglePart: Sendable, Hashable {
    /// message/rfc822 (and message/global): the encapsulated message's envelope, structure and line
    /// count; text/*: the line count.
    public indirect enum Specific: Sendable, Hashable {
        case basic
        case text(lines: Int)
        case message(envelope: FetchEnvelope, body: FetchBody, lines: Int)
    }

    public var type: [UInt8]
    public var subtype: [UInt8]
    public var parameters: [FetchParameter]
    public var id: [UInt8]?
    public var description: [UInt8]?
    public var encoding: [UInt8]
    public var size: Int
    public var specific: Specific
    /// body-fld-md5 (nstring), then the fields shared with multipart.
    public var md5: [UInt8]?
    public var `extension`: FetchBodyExtension

    public init(
        type: [UInt8], subtype: [UInt8], parameters: [FetchParameter] = [], id: [UInt8]? = nil,
        description: [UInt8]? = nil, encoding: [UInt8], size: Int, specific: Specific = .basic,
        md5: [UInt8]? = nil, extension: FetchBodyExtension = FetchBodyExtension()
    ) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
        self.id = id
        self.description = description
        self.encoding = encoding
        self.size = size
        self.specific = specific
        self.md5 = md5
        self.extension = `extension`
    }
}

/// The extension fields both body forms share: body-fld-dsp SP body-fld-lang SP body-fld-loc, and for
/// multipart the body-fld-param before them.
public struct FetchBodyExtension: Sendable, Hashable {
    /// Multipart only: the Content-Type parameters.
    public var parameters: [FetchParameter]
    /// body-fld-dsp = "(" string SP body-fld-param ")" / nil: NIL when `dispositionType` is nil.
    public var dispositionType: [UInt8]?
    public var dispositionParameters: [FetchParameter]
    /// body-fld-lang: NIL when empty, else a parenthesised list.
    public var languages: [[UInt8]]
    public var location: [UInt8]?

    public init(
        parameters: [FetchParameter] = [], dispositionType: [UInt8]? = nil,
        dispositionParameters: [FetchParameter] = [],
        languages: [[UInt8]] = [], location: [UInt8]? = nil
    ) {
        self.parameters = parameters
        self.dispositionType = dispositionType
        self.dispositionParameters = dispositionParameters
        self.languages = languages
        self.location = location
    }
}

/// One body-fld-param pair: string SP string.
public struct FetchParameter: Sendable, Hashable {
    public var name: [UInt8]
    public var value: [UInt8]

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
}
