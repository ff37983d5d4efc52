/// The envelope of a message as RFC 9051 §7.5.2 (ENVELOPE) defines it: the raw values of a few header
/// fields, unfolded but otherwise unchanged (encoded words stay encoded), and parsed address lists.
/// Sender and Reply-To default to From when absent or empty.
///
/// RFC 5322 §3.6 allows each of these fields once and says nothing of mail that has one twice, so the
/// envelope is what Dovecot, the server clients are tested against, shows: the addresses of every From,
/// Sender, Reply-To, To, Cc and Bcc field in order, and the last Date, Subject, In-Reply-To and Message-ID.
/// The subject has its white space runs made single spaces and is trimmed (as Dovecot shows it "for
/// humans"); Date, In-Reply-To and Message-ID keep the white space after their text.
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
        for f in header.fields {
            let len = f.name.count
            guard len >= 2 && len <= 11 else { continue }
            let name = ASCII.lowercased(b[f.name])
            switch name {
            case "date": e.date = unfoldKeepingTrailingSpace(b, f.value)
            case "subject": e.subject = collapsingSpace(b, f.value)
            case "from": e.from += AddressParser.parse(HeaderField.unfold(b, f.value))
            case "sender": e.sender += AddressParser.parse(HeaderField.unfold(b, f.value))
            case "reply-to": e.replyTo += AddressParser.parse(HeaderField.unfold(b, f.value))
            case "to": e.to += AddressParser.parse(HeaderField.unfold(b, f.value))
            case "cc": e.cc += AddressParser.parse(HeaderField.unfold(b, f.value))
            case "bcc": e.bcc += AddressParser.parse(HeaderField.unfold(b, f.value))
            case "in-reply-to": e.inReplyTo = unfoldKeepingTrailingSpace(b, f.value)
            case "message-id": e.messageID = unfoldKeepingTrailingSpace(b, f.value)
            default: continue
            }
        }
        if e.sender.isEmpty { e.sender = e.from }
        if e.replyTo.isEmpty { e.replyTo = e.from }
        return e
    }

    /// The value without its line breaks (RFC 5322 §2.2.3), as Dovecot shows it: the white space after the
    /// colon is left out (only its first character when the first line holds nothing else), white space
    /// after the text and at the start of continuation lines stays. A line break followed by text, not white
    /// space (a bare CR or LF), becomes a space.
    static func unfoldKeepingTrailingSpace(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        var i = range.lowerBound
        while i < range.upperBound, ASCII.isWSP(b[i]) { i += 1 }
        if i > range.lowerBound, i == range.upperBound || b[i] == ASCII.cr || b[i] == ASCII.lf {
            i = range.lowerBound + 1
        }
        while i < range.upperBound {
            let c = b[i]
            i += 1
            guard c == ASCII.cr || c == ASCII.lf else {
                out.append(c)
                continue
            }
            if i < range.upperBound, !ASCII.isSpace(b[i]) { out.append(ASCII.sp) }
        }
        return out
    }

    /// The value with every run of white space and line breaks made one space, trimmed.
    static func collapsingSpace(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        var pendingSpace = false
        for i in range {
            if ASCII.isSpace(b[i]) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(ASCII.sp) }
            pendingSpace = false
            out.append(b[i])
        }
        return out
    }
}
