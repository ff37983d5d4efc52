import IMAPWire
import MIME
import NIOCore

/// The IMAP syntax of FETCH ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2 and §9 formal syntax;
/// RFC 3501 §7.4.2 is the same for these items), written from the MIME module's parse result.
///
/// Strings are quoted when every byte can be, literals otherwise (8-bit bytes, CR, LF, NUL): the
/// values are the header bytes as they were written, never re-encoded. Type, subtype and parameter
/// names keep their written case (Dovecot does the same); the RFC 2045 defaults are lower case
/// (`"text" "plain" ("charset" "us-ascii")`, `"7bit"`).
///
/// Sizes are the octets stored, which are the octets BODY[...] returns; Dovecot counts a bare LF as
/// two octets (its "virtual size") — a deliberate difference, only visible on bare-LF mail.
extension ByteBuffer {
    /// `envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    /// env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"`
    mutating func writeEnvelope(_ e: Envelope) {
        writeString("(")
        writeIMAPNString(e.date)
        writeString(" ")
        writeIMAPNString(e.subject)
        for list in [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc] {
            writeString(" ")
            writeAddressList(list)
        }
        writeString(" ")
        writeIMAPNString(e.inReplyTo)
        writeString(" ")
        writeIMAPNString(e.messageID)
        writeString(")")
    }

    /// `"(" 1*address ")" / nil`, with `address = "(" addr-name SP addr-adl SP addr-mailbox SP
    /// addr-host ")"`; groups appear as their start and end markers (RFC 9051 §7.5.2).
    mutating func writeAddressList(_ list: [EnvelopeAddress]) {
        guard !list.isEmpty else {
            writeString("NIL")
            return
        }
        writeString("(")
        for a in list {
            writeString("(")
            writeIMAPNString(a.name)
            writeString(" ")
            writeIMAPNString(a.adl)
            writeString(" ")
            writeIMAPNString(a.mailbox)
            writeString(" ")
            writeIMAPNString(a.host)
            writeString(")")
        }
        writeString(")")
    }

    /// `body = "(" (body-type-1part / body-type-mpart) ")"`. With `extensible` (BODYSTRUCTURE) the
    /// extension data is written: body-ext-1part (md5, disposition, language, location) or
    /// body-ext-mpart (parameters, disposition, language, location); without it (BODY), none.
    mutating func writeBodyStructure(_ part: MessagePart, extensible: Bool) {
        writeBody(part, extensible: extensible, depth: 0)
    }

    /// Recursion follows the part tree, whose depth the parser bounds (``MIMELimits/maxNestingDepth``,
    /// two levels per message/rfc822); the guard here only protects against a hand-made tree.
    private mutating func writeBody(_ part: MessagePart, extensible: Bool, depth: Int) {
        if depth > 2 * MIMELimits.maxNestingDepth + 4 {
            writeString("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)")
            return
        }
        writeString("(")
        if part.isMultipart, !part.parts.isEmpty {
            for child in part.parts { writeBody(child, extensible: extensible, depth: depth + 1) }
            writeString(" ")
            writeIMAPString(part.subtype)
            if extensible {
                writeString(" ")
                writeParameters(part.parameters)
                writeExtensionTail(part)
            }
        } else {
            writeIMAPString(part.type)
            writeString(" ")
            writeIMAPString(part.subtype)
            writeString(" ")
            writeParameters(part.parameters)
            writeString(" ")
            writeIMAPNString(part.id)
            writeString(" ")
            writeIMAPNString(part.description)
            writeString(" ")
            writeIMAPString(part.encoding ?? Array("7bit".utf8))
            writeString(" \(part.size)")
            if part.isMessage, let inner = part.encapsulated {
                writeString(" ")
                writeEnvelope(inner.envelope ?? Envelope())
                writeString(" ")
                writeBody(inner, extensible: extensible, depth: depth + 1)
                writeString(" \(part.lineCount)")
            } else if part.isText {
                writeString(" \(part.lineCount)")
            }
            if extensible {
                writeString(" ")
                writeIMAPNString(part.md5)
                writeExtensionTail(part)
            }
        }
        writeString(")")
    }

    /// `SP body-fld-dsp SP body-fld-lang SP body-fld-loc`, the part shared by both extension forms.
    private mutating func writeExtensionTail(_ part: MessagePart) {
        writeString(" ")
        if let d = part.disposition {
            writeString("(")
            writeIMAPString(d.type)
            writeString(" ")
            writeParameters(d.parameters)
            writeString(")")
        } else {
            writeString("NIL")
        }
        writeString(" ")
        if let languages = part.language, !languages.isEmpty {
            writeString("(")
            for (i, tag) in languages.enumerated() {
                if i > 0 { writeString(" ") }
                writeIMAPString(tag)
            }
            writeString(")")
        } else {
            writeString("NIL")
        }
        writeString(" ")
        writeIMAPNString(part.location)
    }

    /// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`
    private mutating func writeParameters(_ params: [MIMEParameter]) {
        guard !params.isEmpty else {
            writeString("NIL")
            return
        }
        writeString("(")
        for (i, p) in params.enumerated() {
            if i > 0 { writeString(" ") }
            writeIMAPString(p.name)
            writeString(" ")
            writeIMAPString(p.value)
        }
        writeString(")")
    }
}
