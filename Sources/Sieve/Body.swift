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
            if p.isMultipart {
                stack.append(contentsOf: p.parts.reversed())
                continue
            }
            let type = p.type.lowercased()
            let full = type + "/" + p.subtype.lowercased()
            let wanted = types.contains(where: { $0.isEmpty || $0 == type || $0 == full })
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
}
