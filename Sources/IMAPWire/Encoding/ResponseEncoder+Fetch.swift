import NIOCore

/// FETCH data items (RFC 9051 §7.5.2; RFC 3516 §4.2; RFC 7162 §3.1.4; RFC 8514; RFC 8474).
extension ResponseEncoder {
    /// One msg-att item, without separators.
    public func encode(_ attribute: MessageAttribute, into b: inout ByteBuffer) {
        switch attribute {
        case .uid(let uid):
            b.writeString("UID \(uid)")
        case .flags(let flags):
            b.writeString("FLAGS ")
            b.writeFlagList(flags)
        case .internalDate(let date):
            b.writeString("INTERNALDATE ")
            b.writeInternalDate(date)
        case .rfc822Size(let size):
            b.writeString("RFC822.SIZE \(size)")
        case .modSeq(let modSeq):
            b.writeString("MODSEQ (\(modSeq))")
        case .saveDate(let date):
            b.writeString("SAVEDATE ")
            if let date { b.writeInternalDate(date) } else { b.writeString("NIL") }
        case .emailID(let id):
            b.writeString("EMAILID (\(id))")
        case .threadID(let id):
            b.writeString(id.map { "THREADID (\($0))" } ?? "THREADID NIL")
        case .preview(let text):
            b.writeString("PREVIEW ")
            b.writeIMAPNString(text)
        case .envelope(let envelope):
            b.writeString("ENVELOPE ")
            writeEnvelope(envelope, into: &b)
        case .body(let body):
            b.writeString("BODY ")
            writeBody(body, extensible: false, into: &b)
        case .bodyStructure(let body):
            b.writeString("BODYSTRUCTURE ")
            writeBody(body, extensible: true, into: &b)
        case .bodySection(let section, let origin, let data):
            writeStreamingName(.bodySection(section, origin: origin), into: &b)
            b.writeString(" ")
            writeMessageText(data, into: &b)
        case .rfc822(let data):
            b.writeString("RFC822 ")
            writeMessageText(data, into: &b)
        case .rfc822Header(let data):
            b.writeString("RFC822.HEADER ")
            writeMessageText(data, into: &b)
        case .rfc822Text(let data):
            b.writeString("RFC822.TEXT ")
            writeMessageText(data, into: &b)
        case .binary(let part, let origin, let data):
            writeStreamingName(.binary(part: part, origin: origin), into: &b)
            guard var data else {
                b.writeString(" NIL")
                return
            }
            // RFC 3516 §4.2: literal8 when the decoded data contains NUL.
            let nul = data.readableBytesView.contains(0)
            b.writeString(nul ? " ~{\(data.readableBytes)}\r\n" : " {\(data.readableBytes)}\r\n")
            b.writeBuffer(&data)
        case .binarySize(let part, let size):
            b.writeString("BINARY.SIZE[")
            writePart(part, into: &b)
            b.writeString("] \(size)")
        case .encoded(let item, let value):
            b.writeString(item.rawValue)
            b.writeString(" ")
            b.writeBytes(value)
        }
    }

    /// The value of an ENVELOPE item alone, as `encode(.envelope(_))` writes it after the name.
    public func encodeValue(_ envelope: FetchEnvelope) -> [UInt8] {
        var b = ByteBufferAllocator().buffer(capacity: 512)
        writeEnvelope(envelope, into: &b)
        return Array(b.readableBytesView)
    }

    /// The value of a BODY (`extensible` false) or BODYSTRUCTURE item alone.
    public func encodeValue(_ body: FetchBody, extensible: Bool) -> [UInt8] {
        var b = ByteBufferAllocator().buffer(capacity: 512)
        writeBody(body, extensible: extensible, into: &b)
        return Array(b.readableBytesView)
    }

    /// The value of a FLAGS item alone: the flag-list.
    public func encodeValue(_ flags: [Flag]) -> [UInt8] {
        var b = ByteBufferAllocator().buffer(capacity: 64)
        b.writeFlagList(flags)
        return Array(b.readableBytesView)
    }

    /// Message text (nstring) as a literal, or NIL. A literal cannot carry NUL (RFC 9051 §9, CHAR8):
    /// a NUL stored in a message (only BINARY, with literal8, returns it exactly) is sent as 0x80,
    /// which keeps every size and offset as stored.
    private func writeMessageText(_ data: ByteBuffer?, into b: inout ByteBuffer) {
        guard var data else {
            b.writeString("NIL")
            return
        }
        b.writeString("{\(data.readableBytes)}\r\n")
        if data.readableBytesView.contains(0) {
            b.writeBytes(data.readableBytesView.map { $0 == 0 ? 0x80 : $0 })
        } else {
            b.writeBuffer(&data)
        }
    }

    /// The item name of a streamed attribute: `BODY[section]<origin>`, `BINARY[part]<origin>`, `RFC822`...
    func writeStreamingName(_ attribute: StreamingAttribute, into b: inout ByteBuffer) {
        switch attribute {
        case .bodySection(let section, let origin):
            b.writeString("BODY")
            b.writeSection(section)
            if let origin { b.writeString("<\(origin)>") }
        case .binary(let part, let origin):
            b.writeString("BINARY[")
            writePart(part, into: &b)
            b.writeString("]")
            if let origin { b.writeString("<\(origin)>") }
        case .rfc822: b.writeString("RFC822")
        case .rfc822Header: b.writeString("RFC822.HEADER")
        case .rfc822Text: b.writeString("RFC822.TEXT")
        }
    }

    /// section-part = nz-number *("." nz-number)
    private func writePart(_ part: [Int], into b: inout ByteBuffer) {
        for (index, number) in part.enumerated() {
            if index > 0 { b.writeString(".") }
            b.writeString(String(number))
        }
    }
}

/// Writes a FETCH response that arrives in pieces (`FetchResponsePart`), one value per response: it
/// knows where separators go. The bytes equal `ResponseEncoder`'s for the same response.
public struct FetchResponseWriter: Sendable {
    private let encoder = ResponseEncoder()
    private var itemsWritten = 0
    private var streaming = false

    public init() {}

    public mutating func write(_ part: FetchResponsePart, into b: inout ByteBuffer) {
        switch part {
        case .start(let number, let uidFetch):
            itemsWritten = 0
            b.writeString(uidFetch ? "* \(number) UIDFETCH (" : "* \(number) FETCH (")
        case .attribute(let attribute):
            separate(&b)
            encoder.encode(attribute, into: &b)
        case .streamingBegin(let attribute, let count, let containsNUL):
            separate(&b)
            encoder.writeStreamingName(attribute, into: &b)
            b.writeString(containsNUL ? " ~{\(count)}\r\n" : " {\(count)}\r\n")
            streaming = true
        case .streamingBytes(let bytes):
            b.writeBytes(bytes)
        case .streamingEnd:
            streaming = false
        case .finish:
            b.writeString(")\r\n")
        }
    }

    private mutating func separate(_ b: inout ByteBuffer) {
        if itemsWritten > 0 { b.writeString(" ") }
        itemsWritten += 1
    }
}
