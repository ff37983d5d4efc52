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
            if p.isMessage, let e = p.encapsulated, !types.contains("message/rfc822") {
                stack.append(e)
                continue
            }
            let type = p.type.lowercased()
            let full = type + "/" + p.subtype.lowercased()
            guard types.contains(where: { $0.isEmpty || $0 == type || $0 == full }) else { continue }
            let text = mime.decodedTextUTF8(of: p).prefix(SieveLimits.maxBodySize)
            out.append(String(decoding: text, as: UTF8.self))
        }
        return out
    }
}
