/// A compact binary form of ``ParsedMessage`` for the store (MailStore's `MessageStructure`), so that
/// FETCH ENVELOPE/BODYSTRUCTURE and section offsets need no message file.
///
/// Layout: LEB128 unsigned integers; byte strings as length + bytes (optional ones as 0 for nil, else
/// length + 1); ranges as start + count. It holds offsets and header values, never part bodies.
/// Reading checks everything and gives nil for data it does not understand (recompute then).
extension ParsedMessage {
    /// Bump when the parser's output or this layout changes; stored forms of other versions are
    /// recomputed from the message.
    public static let serializationVersion = 3

    public func serialized() -> [UInt8] {
        var w = StructureWriter()
        w.int(ParsedMessage.serializationVersion)
        w.int(size)
        w.part(root)
        return w.out
    }

    /// Reads a serialized form; nil when it is damaged or of another version.
    public init?(serialized data: [UInt8]) {
        var r = StructureReader(data: data)
        guard r.int() == ParsedMessage.serializationVersion, let size = r.int(),
            let root = r.part(depth: 0), r.atEnd
        else { return nil }
        self.init(root: root, size: size)
    }
}

struct StructureWriter {
    var out: [UInt8] = []

    mutating func int(_ v: Int) {
        var u = UInt64(max(0, v))
        while u >= 0x80 {
            out.append(UInt8(u & 0x7F) | 0x80)
            u >>= 7
        }
        out.append(UInt8(u))
    }

    mutating func bytes(_ b: [UInt8]) {
        int(b.count)
        out += b
    }

    mutating func optional(_ b: [UInt8]?) {
        guard let b else { return int(0) }
        int(b.count + 1)
        out += b
    }

    mutating func string(_ s: String) { bytes(Array(s.utf8)) }

    mutating func range(_ r: Range<Int>) {
        int(r.lowerBound)
        int(r.count)
    }

    mutating func params(_ p: [MIMEParameter]) {
        int(p.count)
        for x in p {
            string(x.name)
            bytes(x.value)
        }
    }

    /// 0-4 for the five known encodings, 5 and the value as written for an unknown one.
    mutating func transferEncoding(_ e: TransferEncoding) {
        switch e {
        case .sevenBit: int(0)
        case .eightBit: int(1)
        case .binary: int(2)
        case .base64: int(3)
        case .quotedPrintable: int(4)
        case .unknown(let raw):
            int(5)
            bytes(raw)
        }
    }

    mutating func addresses(_ list: [EnvelopeAddress]) {
        int(list.count)
        for a in list {
            optional(a.name)
            optional(a.adl)
            optional(a.mailbox)
            optional(a.host)
        }
    }

    mutating func part(_ p: MessagePart) {
        range(p.header)
        range(p.body)
        string(p.type)
        string(p.subtype)
        params(p.parameters)
        optional(p.id)
        optional(p.description)
        optional(p.encoding)
        transferEncoding(p.transferEncoding)
        optional(p.md5)
        if let d = p.disposition {
            int(1)
            bytes(d.type)
            params(d.parameters)
        } else {
            int(0)
        }
        if let l = p.language {
            int(l.count + 1)
            for tag in l { bytes(tag) }
        } else {
            int(0)
        }
        optional(p.location)
        int(p.lineCount)
        int(p.hasContentType ? 1 : 0)
        if let e = p.envelope {
            int(1)
            optional(e.date)
            optional(e.subject)
            for list in [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc] { addresses(list) }
            optional(e.inReplyTo)
            optional(e.messageID)
        } else {
            int(0)
        }
        int(p.parts.count)
        for c in p.parts { part(c) }
        if let e = p.encapsulated {
            int(1)
            part(e)
        } else {
            int(0)
        }
    }
}

struct StructureReader {
    let data: [UInt8]
    var i = 0

    var atEnd: Bool { i == data.count }

    mutating func int() -> Int? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while i < data.count, shift < 63 {
            let b = data[i]
            i += 1
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v <= UInt64(Int32.max) ? Int(v) : nil }
            shift += 7
        }
        return nil
    }

    /// A count that cannot exceed the bytes left (every element takes at least one byte).
    mutating func count() -> Int? {
        guard let n = int(), n <= data.count - i else { return nil }
        return n
    }

    mutating func bytes() -> [UInt8]? {
        guard let n = count() else { return nil }
        defer { i += n }
        return Array(data[i..<(i + n)])
    }

    /// nil = damaged; .some(nil) = a stored nil.
    mutating func optional() -> [UInt8]?? {
        guard let n = int(), n <= data.count - i + 1 else { return nil }
        if n == 0 { return .some(nil) }
        defer { i += n - 1 }
        return .some(Array(data[i..<(i + n - 1)]))
    }

    mutating func string() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }

    mutating func range() -> Range<Int>? {
        guard let lower = int(), let n = int() else { return nil }
        return lower..<(lower + n)
    }

    mutating func params() -> [MIMEParameter]? {
        guard let n = count() else { return nil }
        var out: [MIMEParameter] = []
        for _ in 0..<n {
            guard let name = string(), let value = bytes() else { return nil }
            out.append(MIMEParameter(name: name, value: value))
        }
        return out
    }

    mutating func transferEncoding() -> TransferEncoding? {
        switch int() {
        case 0: return .sevenBit
        case 1: return .eightBit
        case 2: return .binary
        case 3: return .base64
        case 4: return .quotedPrintable
        case 5: return bytes().map { .unknown($0) }
        default: return nil
        }
    }

    mutating func addresses() -> [EnvelopeAddress]? {
        guard let n = count() else { return nil }
        var out: [EnvelopeAddress] = []
        for _ in 0..<n {
            guard let name = optional(), let adl = optional(), let mailbox = optional(), let host = optional()
            else { return nil }
            out.append(EnvelopeAddress(name: name, adl: adl, mailbox: mailbox, host: host))
        }
        return out
    }

    /// Depth-bounded like the parser (two levels per message/rfc822 nesting).
    mutating func part(depth: Int) -> MessagePart? {
        guard depth <= 2 * MIMELimits.maxNestingDepth + 4, let header = range(), let body = range() else { return nil }
        var p = MessagePart(header: header, body: body)
        guard let type = string(), let subtype = string(), let params = params(), let id = optional(),
            let description = optional(), let encoding = optional(), let transferEncoding = transferEncoding(),
            let md5 = optional(), let hasDisposition = int()
        else { return nil }
        p.type = type
        p.subtype = subtype
        p.parameters = params
        p.id = id
        p.description = description
        p.encoding = encoding
        p.transferEncoding = transferEncoding
        p.md5 = md5
        if hasDisposition == 1 {
            guard let t = bytes(), let dp = self.params() else { return nil }
            p.disposition = ContentDisposition(type: t, parameters: dp)
        }
        guard let languageCount = count() else { return nil }
        if languageCount > 0 {
            var tags: [[UInt8]] = []
            for _ in 0..<(languageCount - 1) {
                guard let tag = bytes() else { return nil }
                tags.append(tag)
            }
            p.language = tags
        }
        guard let location = optional(), let lines = int(), let hasType = int(), let hasEnvelope = int() else {
            return nil
        }
        p.location = location
        p.lineCount = lines
        p.hasContentType = hasType == 1
        if hasEnvelope == 1 {
            guard let date = optional(), let subject = optional(), let from = addresses(), let sender = addresses(),
                let replyTo = addresses(), let to = addresses(), let cc = addresses(), let bcc = addresses(),
                let inReplyTo = optional(), let messageID = optional()
            else { return nil }
            p.envelope = Envelope(
                date: date, subject: subject, from: from, sender: sender, replyTo: replyTo, to: to, cc: cc, bcc: bcc,
                inReplyTo: inReplyTo, messageID: messageID)
        }
        guard let partCount = count() else { return nil }
        for _ in 0..<partCount {
            guard let child = part(depth: depth + 1) else { return nil }
            p.parts.append(child)
        }
        guard let hasEncapsulated = int() else { return nil }
        if hasEncapsulated == 1 {
            guard let inner = part(depth: depth + 1) else { return nil }
            p.encapsulated = inner
        }
        return p
    }
}
