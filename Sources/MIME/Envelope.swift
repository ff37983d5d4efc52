/// The envelope of a message as RFC 9051 §7.5.2 (ENVELOPE) defines it: the raw values of a few header
/// fields, unfolded and trimmed but otherwise unchanged (encoded words stay encoded), and parsed
/// address lists. Sender and Reply-To default to From when absent or empty.
///
/// When a field occurs more than once the first occurrence counts (RFC 5322 §3.6 allows one);
/// Dovecot takes the last one — a deliberate difference.
public struct Envelope: Sendable, Hashable {
    public var date: [UInt8]?
    public var subject: [UInt8]?
    public var from: [EnvelopeAddress]
    public var sender: [EnvelopeAddress]
    public var replyTo: [EnvelopeAddress]
    public var to: [EnvelopeAddress]
    public var cc: [EnvelopeAddress]
    public var bcc: [EnvelopeAddress]
    public var inReplyTo: [UInt8]?
    public var messageID: [UInt8]?

    public init(
        date: [UInt8]? = nil, subject: [UInt8]? = nil, from: [EnvelopeAddress] = [],
        sender: [EnvelopeAddress] = [], replyTo: [EnvelopeAddress] = [], to: [EnvelopeAddress] = [],
        cc: [EnvelopeAddress] = [], bcc: [EnvelopeAddress] = [], inReplyTo: [UInt8]? = nil,
        messageID: [UInt8]? = nil
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

    /// Builds the envelope from a parsed header.
    static func build(_ b: UnsafeBufferPointer<UInt8>, _ header: HeaderBlock) -> Envelope {
        var e = Envelope()
        var seen = Set<String>()
        for f in header.fields {
            let len = f.name.count
            guard len >= 2 && len <= 11 else { continue }
            let name = ASCII.lowercased(b[f.name])
            guard !seen.contains(name) else { continue }
            switch name {
            case "date": e.date = HeaderField.unfold(b, f.value)
            case "subject": e.subject = HeaderField.unfold(b, f.value)
            case "from": e.from = AddressParser.parse(HeaderField.unfold(b, f.value))
            case "sender": e.sender = AddressParser.parse(HeaderField.unfold(b, f.value))
            case "reply-to": e.replyTo = AddressParser.parse(HeaderField.unfold(b, f.value))
            case "to": e.to = AddressParser.parse(HeaderField.unfold(b, f.value))
            case "cc": e.cc = AddressParser.parse(HeaderField.unfold(b, f.value))
            case "bcc": e.bcc = AddressParser.parse(HeaderField.unfold(b, f.value))
            case "in-reply-to": e.inReplyTo = HeaderField.unfold(b, f.value)
            case "message-id": e.messageID = HeaderField.unfold(b, f.value)
            default: continue
            }
            seen.insert(name)
        }
        if e.sender.isEmpty { e.sender = e.from }
        if e.replyTo.isEmpty { e.replyTo = e.from }
        return e
    }
}
