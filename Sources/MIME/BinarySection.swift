/// FETCH BINARY of a section that holds other parts (RFC 3516 §4.2: the whole message, a multipart, a
/// message/rfc822 part): the section as it is, except that every part's content transfer encoding is undone.
///
/// The form follows Dovecot, the reference clients are tested against: the bytes between parts (headers,
/// boundary lines, preamble, epilogue) are copied as they are; a part whose header declares base64 or
/// quoted-printable gets its body decoded, and its header loses every Content-Transfer-Encoding field and gains
/// `Content-Transfer-Encoding: binary` at its end, so that the result still describes itself. An unknown
/// encoding anywhere in the section makes the whole section undecodable (`UNKNOWN-CTE`, RFC 3516 §4.3).
extension MIMEMessage {
    /// BINARY[path]: nil when a part in it has an unknown transfer encoding; nil for a part that does not exist.
    public func binarySection(_ path: [Int]) -> [UInt8]? {
        guard let part = structure.part(path) else { return nil }
        var out: [UInt8] = []
        let ok = bytes.withUnsafeBufferPointer { b in
            var writer = BinaryWriter(message: self, b: b)
            let done = writer.write(part, includeHeader: path.isEmpty)
            out = writer.out
            return done
        }
        return ok ? out : nil
    }
}

private struct BinaryWriter {
    let message: MIMEMessage
    let b: UnsafeBufferPointer<UInt8>
    var out: [UInt8] = []

    /// Appends the part (its header when `includeHeader`, then its body); false on an unknown encoding.
    mutating func write(_ part: MessagePart, includeHeader: Bool) -> Bool {
        let encoding = part.transferEncoding
        if case .unknown = encoding { return false }
        let converted = encoding == .base64 || encoding == .quotedPrintable
        if includeHeader { writeHeader(part, converted: converted) }
        if part.isMultipart {
            var position = part.body.lowerBound
            for child in part.parts where child.header.lowerBound >= position {
                copy(position..<child.header.lowerBound)
                guard write(child, includeHeader: true) else { return false }
                position = child.body.upperBound
            }
            copy(position..<part.body.upperBound)
            return true
        }
        if part.isMessage, encoding.isIdentity, let inner = part.encapsulated {
            return write(inner, includeHeader: true)
        }
        guard !part.body.isEmpty else { return true }
        guard let decoded = message.decodedBody(of: part) else { return false }
        out += decoded
        return true
    }

    mutating func writeHeader(_ part: MessagePart, converted: Bool) {
        guard converted else { return copy(part.header) }
        let block = HeaderParser.parse(b, in: clamped(part.header))
        var position = block.range.lowerBound
        for field in block.fields where field.hasName("content-transfer-encoding", in: b) {
            copy(position..<field.whole.lowerBound)
            position = field.whole.upperBound
        }
        // The blank line that ends the header (when there is one) comes after the added field.
        let end = blankLineStart(block.range, from: position)
        copy(position..<end)
        if let last = out.last, last != ASCII.lf { out += [ASCII.cr, ASCII.lf] }
        out += Array("Content-Transfer-Encoding: binary\r\n".utf8)
        copy(end..<block.range.upperBound)
    }

    /// Where the empty line that ends the header in `range` starts, or its end when it has none.
    func blankLineStart(_ range: Range<Int>, from position: Int) -> Int {
        var end = range.upperBound
        guard end > position, b[end - 1] == ASCII.lf else { return range.upperBound }
        end -= 1
        if end > position, b[end - 1] == ASCII.cr { end -= 1 }
        return end == range.lowerBound || b[end - 1] == ASCII.lf ? end : range.upperBound
    }

    mutating func copy(_ range: Range<Int>) {
        let r = clamped(range)
        if !r.isEmpty { out += b[r] }
    }

    func clamped(_ r: Range<Int>) -> Range<Int> { r.clamped(to: 0..<b.count) }
}
