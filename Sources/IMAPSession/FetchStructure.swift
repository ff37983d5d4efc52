import IMAPWire
import MIME

/// FETCH ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2) as wire values, from the MIME module's
/// parse result; `ResponseEncoder` writes them.
///
/// The values are the header bytes as they were written, never re-encoded. Type, subtype and
/// parameter names keep their written case (Dovecot does the same); the RFC 2045 defaults are lower
/// case (`"text" "plain" ("charset" "us-ascii")`, `"7bit"`).
///
/// Sizes are the octets stored, which are the octets BODY[...] returns; Dovecot counts a bare LF as
/// two octets (its "virtual size") — a deliberate difference, only visible on bare-LF mail.
extension FetchEnvelope {
    init(_ e: Envelope) {
        func addresses(_ list: [EnvelopeAddress]) -> [FetchAddress] {
            list.map { FetchAddress(name: $0.name, adl: $0.adl, mailbox: $0.mailbox, host: $0.host) }
        }
        self.init(
            date: e.date, subject: e.subject, from: addresses(e.from), sender: addresses(e.sender),
            replyTo: addresses(e.replyTo), to: addresses(e.to), cc: addresses(e.cc), bcc: addresses(e.bcc),
            inReplyTo: e.inReplyTo, messageID: e.messageID)
    }
}

extension FetchBody {
    /// A multipart without parts is shown as its own single part; message/rfc822 carries the inner
    /// message's envelope, structure and line count, text/* its line count.
    init(_ part: MessagePart) {
        self = Self.make(part, depth: 0)
    }

    /// Recursion follows the part tree, whose depth the parser bounds (``MIMELimits/maxNestingDepth``,
    /// two levels per message/rfc822); the guard here only protects against a hand-made tree.
    private static func make(_ part: MessagePart, depth: Int) -> FetchBody {
        if depth > 2 * MIMELimits.maxNestingDepth + 4 {
            return .singlePart(
                FetchSinglePart(
                    type: Array("text".utf8), subtype: Array("plain".utf8), encoding: Array("7bit".utf8), size: 0,
                    specific: .text(lines: 0)))
        }
        let ext = FetchBodyExtension(
            parameters: part.isMultipart ? parameters(part.parameters) : [],
            dispositionType: part.disposition?.type,
            dispositionParameters: parameters(part.disposition?.parameters ?? []),
            languages: part.language ?? [], location: part.location)
        if part.isMultipart, !part.parts.isEmpty {
            return .multipart(
                parts: part.parts.map { make($0, depth: depth + 1) }, subtype: Array(part.subtype.utf8),
                extension: ext)
        }
        var specific = FetchSinglePart.Specific.basic
        if part.isMessage, let inner = part.encapsulated {
            specific = .message(
                envelope: FetchEnvelope(inner.envelope ?? Envelope()), body: make(inner, depth: depth + 1),
                lines: part.lineCount)
        } else if part.isText {
            specific = .text(lines: part.lineCount)
        }
        return .singlePart(
            FetchSinglePart(
                type: Array(part.type.utf8), subtype: Array(part.subtype.utf8), parameters: parameters(part.parameters),
                id: part.id, description: part.description, encoding: part.encoding ?? Array("7bit".utf8),
                size: part.size, specific: specific, md5: part.md5,
                extension: FetchBodyExtension(
                    dispositionType: ext.dispositionType, dispositionParameters: ext.dispositionParameters,
                    languages: ext.languages, location: ext.location)))
    }

    private static func parameters(_ list: [MIMEParameter]) -> [FetchParameter] {
        list.map { FetchParameter(name: Array($0.name.utf8), value: $0.value) }
    }
}
