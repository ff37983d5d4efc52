/// A message's bytes with its parse result: sections (RFC 9051 §6.4.5) and decoded content for
/// FETCH BINARY (RFC 3516) and SEARCH.
public struct MIMEMessage: Sendable {
    public let bytes: [UInt8]
    public let structure: ParsedMessage

    /// Parses `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.structure = MessageParser.parse(bytes)
    }

    /// Uses a structure parsed earlier (for example one read back with ``ParsedMessage/init(serialized:)``).
    public init(bytes: [UInt8], structure: ParsedMessage) {
        self.bytes = bytes
        self.structure = structure
    }

    public var root: MessagePart { structure.root }
    public var envelope: Envelope { structure.root.envelope ?? Envelope() }

    public func part(_ path: [Int]) -> MessagePart? { structure.part(path) }

    /// The bytes of a section (see ``ParsedMessage/range(_:_:)``); nil when it does not exist.
    public func section(_ path: [Int], _ kind: SectionKind) -> ArraySlice<UInt8>? {
        guard let r = structure.range(path, kind), r.upperBound <= bytes.count else { return nil }
        return bytes[r]
    }

    /// `[path.HEADER.FIELDS (names)]` / `[path.HEADER.FIELDS.NOT (names)]`; nil when the section does
    /// not exist.
    public func headerFields(_ path: [Int], names: [String], not: Bool = false) -> [UInt8]? {
        guard let r = structure.range(path, .header), r.upperBound <= bytes.count else { return nil }
        return bytes.withUnsafeBufferPointer { HeaderSelection.select($0, header: r, names: names, not: not) }
    }

    /// The part's body with its transfer encoding undone; nil when the encoding is unknown (the caller
    /// answers `[UNKNOWN-CTE]`, RFC 3516 §4.3).
    public func decodedBody(of part: MessagePart) -> [UInt8]? {
        guard part.body.upperBound <= bytes.count else { return [] }
        return bytes.withUnsafeBufferPointer { b in
            TransferDecoding.decode(UnsafeBufferPointer(rebasing: b[part.body]), part.transferEncoding)
        }
    }

    /// The part's body as text: transfer encoding undone (an unknown one is left as is), then its
    /// charset (US-ASCII when absent, RFC 2045 §5.2).
    public func decodedText(of part: MessagePart) -> String {
        let raw = decodedBody(of: part) ?? Array(bytes[clamped(part.body)])
        return Charset.decode(raw, charset: part.charset ?? "us-ascii")
    }

    /// `decodedText` as UTF-8 bytes, without making a String when the text already is UTF-8 (a
    /// UTF-8 part, or an ASCII one): what SEARCH folds and matches (invalid UTF-8 is read as U+FFFD
    /// there, as `String(decoding:)` does).
    public func decodedTextUTF8(of part: MessagePart) -> [UInt8] {
        let raw = decodedBody(of: part) ?? Array(bytes[clamped(part.body)])
        let charset = Charset.canonicalName(part.charset ?? "us-ascii")
        if charset == "utf-8" { return raw }
        if Charset.asciiMayEncode(charset) { return Array(Charset.decode(raw, charset: charset).utf8) }
        if Charset.isASCII(raw) { return raw }
        if charset == "iso-8859-1" { return Charset.latin1ToUTF8(raw) }
        return Array(Charset.decode(raw, charset: charset).utf8)
    }

    /// `decodedTextUTF8`, handed to `body` without a copy when the part's bytes already are that text:
    /// no transfer encoding to undo, and UTF-8 (or ASCII, in any charset whose ASCII is text, ``Charset/asciiMayEncode(_:)``).
    /// SEARCH then holds a large body once (`Benchmarks/run.sh bigmailbox`: a 20 MB message had its bytes, a copy and a
    /// folded copy in memory at once).
    public func withDecodedTextUTF8<R>(
        of part: MessagePart, _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        let charset = Charset.canonicalName(part.charset ?? "us-ascii")
        // The bytes `decodedTextUTF8` starts from when there is nothing to decode (an identity or an
        // unknown transfer encoding): the body, or nothing when it runs past the end (as `decodedBody`).
        let range: Range<Int>?
        switch part.transferEncoding {
        case .sevenBit, .eightBit, .binary, .unknown: range = part.body.upperBound <= bytes.count ? part.body : 0..<0
        case .base64, .quotedPrintable: range = nil
        }
        if let range, !Charset.asciiMayEncode(charset) {
            let direct = try bytes.withUnsafeBufferPointer { all -> R? in
                let text = UnsafeBufferPointer(rebasing: all[range])
                guard charset == "utf-8" || Charset.isASCII(text) else { return nil }
                return try body(text)
            }
            if let direct { return direct }
        }
        return try decodedTextUTF8(of: part).withUnsafeBufferPointer(body)
    }

    /// The first `name` field of the part's header (the top-level header by default), unfolded and
    /// with encoded words decoded (RFC 2047); nil when absent.
    public func decodedHeaderValue(_ name: String, in part: MessagePart? = nil) -> String? {
        rawHeaderValues(name, in: part).first.map(EncodedWords.decode)
    }

    /// Every `name` field, unfolded but not decoded.
    public func rawHeaderValues(_ name: String, in part: MessagePart? = nil) -> [[UInt8]] {
        let range = clamped((part ?? root).header)
        let lower = name.lowercased()
        return bytes.withUnsafeBufferPointer { b in
            HeaderParser.parse(b, in: range).fields.filter { $0.hasName(lower, in: b) }
                .map { HeaderField.unfold(b, $0.value) }
        }
    }

    /// The addresses of every `name` field (From, To, Cc, Bcc, ...) as text to search in: each as
    /// `decoded display name <mailbox@host>`, joined by ", " (groups show their decoded name).
    public func searchableAddresses(_ name: String, in part: MessagePart? = nil) -> String {
        var items: [String] = []
        for value in rawHeaderValues(name, in: part) {
            for a in AddressParser.parse(value) {
                if a.isGroupEnd { continue }
                if a.isGroupStart {
                    items.append(EncodedWords.decode(a.mailbox ?? []) + ":")
                    continue
                }
                var s = a.name.map { EncodedWords.decode($0) + " " } ?? ""
                s += "<" + String(decoding: a.mailbox ?? [], as: UTF8.self)
                if let h = a.host { s += "@" + String(decoding: h, as: UTF8.self) }
                items.append(s + ">")
            }
        }
        return items.joined(separator: ", ")
    }

    /// The parts whose bodies SEARCH BODY and TEXT read, in order: every text/* leaf and every message/*
    /// part in a known transfer encoding whose body is not read as a message (message/delivery-status, message/partial, an encoded
    /// message/rfc822, ...), including those of attached messages. Dovecot reads the same parts: a
    /// delivery report's recipients and a partial message's text are found.
    public var textParts: [MessagePart] {
        var out: [MessagePart] = []
        var stack: [MessagePart] = [root]
        while let p = stack.popLast() {
            if p.isMultipart {
                stack.append(contentsOf: p.parts.reversed())
            } else if p.isMessage, p.transferEncoding.isIdentity, let e = p.encapsulated {
                stack.append(e)
            } else if p.isText || ASCII.equalsIgnoringCase(p.type.utf8, "message") {
                // RFC 2045 §6.4: a body in an unknown transfer encoding is application/octet-stream.
                if case .unknown = p.transferEncoding { continue }
                out.append(p)
            }
        }
        return out
    }

    /// Every header of the message, in order, for SEARCH TEXT: the message header, each body part's MIME
    /// header and the header of each attached message (RFC 9051 §6.4.4: TEXT is "the header or body of the
    /// message", and an attached message's header is part of the body that holds it).
    public var headerRanges: [Range<Int>] {
        var out: [Range<Int>] = []
        var stack: [MessagePart] = [root]
        while let p = stack.popLast() {
            if !p.header.isEmpty { out.append(clamped(p.header)) }
            if p.isMultipart {
                stack.append(contentsOf: p.parts.reversed())
            } else if p.isMessage, p.transferEncoding.isIdentity, let e = p.encapsulated {
                stack.append(e)
            }
        }
        return out
    }

    func clamped(_ r: Range<Int>) -> Range<Int> { r.clamped(to: 0..<bytes.count) }
}
