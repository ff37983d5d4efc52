/// What a FETCH BODY[...] section specifier selects (RFC 9051 §6.4.5), after its part number.
public enum SectionKind: Sendable, Hashable {
    /// `[n]` (or `[]` for the whole message): the part's body.
    case body
    /// `[n.HEADER]`: the header of the message (top level, or the message a message/rfc822 part holds).
    case header
    /// `[n.TEXT]`: the body of that message.
    case text
    /// `[n.MIME]`: the part's own MIME header (needs a part number).
    case mime
}

extension ParsedMessage {
    /// The part at `path` (1-based part numbers, RFC 9051 §6.4.5), nil when there is none. The empty
    /// path is the top-level message.
    ///
    /// A message whose body is not multipart has one part, 1: the body itself. For a multipart the
    /// numbers count its body parts; for a message/rfc822 part they count the parts of the message it
    /// holds (so `n.1` is that message's first body part, or its whole body when not multipart).
    public func part(_ path: [Int]) -> MessagePart? {
        guard let first = path.first else { return root }
        guard var current = Self.child(ofMessage: root, first) else { return nil }
        for n in path.dropFirst() {
            guard let next = Self.child(ofPart: current, n) else { return nil }
            current = next
        }
        return current
    }

    static func child(ofMessage m: MessagePart, _ n: Int) -> MessagePart? {
        if m.isMultipart { return n >= 1 && n <= m.parts.count ? m.parts[n - 1] : nil }
        return n == 1 ? m : nil
    }

    static func child(ofPart p: MessagePart, _ n: Int) -> MessagePart? {
        if p.isMultipart { return n >= 1 && n <= p.parts.count ? p.parts[n - 1] : nil }
        if p.isMessage, let e = p.encapsulated { return child(ofMessage: e, n) }
        return nil
    }

    /// The bytes a section selects, as a range into the message; nil for a part that does not exist,
    /// for MIME without a part number, and for HEADER/TEXT on a part that is not message/rfc822.
    /// `[]` with ``SectionKind/body`` is the whole message.
    public func range(_ path: [Int], _ kind: SectionKind) -> Range<Int>? {
        if path.isEmpty {
            switch kind {
            case .body: return 0..<size
            case .header: return root.header
            case .text: return root.body
            case .mime: return nil
            }
        }
        guard let p = part(path) else { return nil }
        switch kind {
        case .body: return p.body
        case .mime: return p.header
        case .header, .text:
            guard p.isMessage, let e = p.encapsulated else { return nil }
            return kind == .header ? e.header : e.body
        }
    }
}

/// HEADER.FIELDS and HEADER.FIELDS.NOT (RFC 9051 §6.4.5).
public enum HeaderSelection {
    /// The fields of the header in `range` whose names are (or, with `not`, are not) in `names`
    /// (case-insensitive), each as written with its folding, followed by an empty line (CRLF). A
    /// field that ends without a line break (a header at the end of the message) gets a CRLF.
    public static func select(
        _ bytes: UnsafeBufferPointer<UInt8>, header range: Range<Int>, names: [String], not: Bool
    ) -> [UInt8] {
        let wanted = Set(names.map { $0.lowercased() })
        let block = HeaderParser.parse(bytes, in: range)
        var out: [UInt8] = []
        for f in block.fields {
            let name = ASCII.lowercased(bytes[f.name])
            guard wanted.contains(name) != not else { continue }
            out += bytes[f.whole]
            if bytes[f.whole.upperBound - 1] != ASCII.lf { out += [ASCII.cr, ASCII.lf] }
        }
        out += [ASCII.cr, ASCII.lf]
        return out
    }
}
