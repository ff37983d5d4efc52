import MIME

/// The body test's values (RFC 5173 §5): :raw is the undecoded body; :content and :text (":content
/// \"text\"") give the decoded text of each matching leaf part, through encapsulated messages.
enum SieveBody {
    static func values(_ message: SieveMessage, _ t: SieveCall, _ expand: (String) -> String) -> [String] {
        let mime = message.mime
        if t.has("raw") {
            let r = mime.root.body.clamped(to: 0..<mime.bytes.count)
            return [String(decoding: mime.bytes[r].prefix(SieveLimits.maxBodySize), as: UTF8.self)]
        }
        let types = (t.list("content") ?? ["text"]).map { expand($0).lowercased() }
        var out: [String] = []
        var stack = [mime.root]
        while let p = stack.popLast() {
            let type = p.type.lowercased()
            let full = type + "/" + p.subtype.lowercased()
            let wanted = types.contains(where: { $0.isEmpty || $0 == type || $0 == full })
            if p.isMultipart {
                // RFC 5173 §5.2: a multipart part gives its prologue and epilogue.
                if wanted { out += outside(p, in: mime) }
                stack.append(contentsOf: p.parts.reversed())
                continue
            }
            if p.isMessage, let e = p.encapsulated {
                // RFC 5173 §5.2: a message/rfc822 part gives the header of the message it holds; its
                // parts are searched in turn.
                if wanted {
                    let r = e.header.clamped(to: 0..<mime.bytes.count)
                    out.append(String(decoding: mime.bytes[r].prefix(SieveLimits.maxBodySize), as: UTF8.self))
                }
                stack.append(e)
                continue
            }
            guard wanted else { continue }
            let text = mime.decodedTextUTF8(of: p).prefix(SieveLimits.maxBodySize)
            out.append(String(decoding: text, as: UTF8.self))
        }
        return out
    }

    /// The text of a multipart body before its first boundary and after its closing one (RFC 2046
    /// §5.1.1), each without the line break that belongs to the boundary; empty ones are left out.
    static func outside(_ part: MessagePart, in mime: MIMEMessage) -> [String] {
        guard let boundary = part.parameter("boundary"), !boundary.isEmpty else { return [] }
        let body = Array(mime.bytes[part.body.clamped(to: 0..<mime.bytes.count)].prefix(SieveLimits.maxBodySize))
        let dash = Array(("--" + boundary).utf8)
        var lineStarts = [0]
        for (i, b) in body.enumerated() where b == 0x0A { lineStarts.append(i + 1) }
        func isDelimiter(_ start: Int, closing: Bool) -> Bool {
            let marker = closing ? dash + [0x2D, 0x2D] : dash
            return body.count - start >= marker.count && Array(body[start..<(start + marker.count)]) == marker
        }
        func text(_ bytes: ArraySlice<UInt8>) -> String? {
            var b = bytes
            if b.last == 0x0A { b = b.dropLast() }
            if b.last == 0x0D { b = b.dropLast() }
            return b.isEmpty ? nil : String(decoding: b, as: UTF8.self)
        }
        var out: [String] = []
        if let first = lineStarts.first(where: { isDelimiter($0, closing: false) }), let pre = text(body[..<first]) {
            out.append(pre)
        }
        if let close = lineStarts.last(where: { isDelimiter($0, closing: true) }) {
            let end = body[close...].firstIndex(of: 0x0A).map { $0 + 1 } ?? body.count
            if let epilogue = text(body[end...]) { out.append(epilogue) }
        }
        return out
    }
}
