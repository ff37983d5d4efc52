import NIOCore

/// ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2 and §9). Every string is an nstring or string:
/// quoted when every byte can be, a literal otherwise (8-bit, CR, LF, NUL), never re-encoded.
extension ResponseEncoder {
    /// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    ///            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
    func writeEnvelope(_ e: FetchEnvelope, into b: inout ByteBuffer) {
        b.writeString("(")
        b.writeIMAPNString(e.date)
        b.writeString(" ")
        b.writeIMAPNString(e.subject)
        for list in [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc] {
            b.writeString(" ")
            writeAddresses(list, into: &b)
        }
        b.writeString(" ")
        b.writeIMAPNString(e.inReplyTo)
        b.writeString(" ")
        b.writeIMAPNString(e.messageID)
        b.writeString(")")
    }

    /// "(" 1*address ")" / nil, address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    private func writeAddresses(_ list: [FetchAddress], into b: inout ByteBuffer) {
        writeList(list, separator: "", into: &b) { a, b in
            b.writeString("(")
            b.writeIMAPNString(a.name)
            b.writeString(" ")
            b.writeIMAPNString(a.adl)
            b.writeString(" ")
            b.writeIMAPNString(a.mailbox)
            b.writeString(" ")
            b.writeIMAPNString(a.host)
            b.writeString(")")
        }
    }

    /// body = "(" (body-type-1part / body-type-mpart) ")"; with `extensible` (BODYSTRUCTURE) the
    /// extension data follows, without it (BODY) none. Recursion follows the value, whose depth the
    /// MIME parser bounds.
    func writeBody(_ body: FetchBody, extensible: Bool, into b: inout ByteBuffer) {
        b.writeString("(")
        switch body {
        case .multipart(let parts, let subtype, let ext):
            for part in parts { writeBody(part, extensible: extensible, into: &b) }
            b.writeString(" ")
            b.writeIMAPString(subtype)
            if extensible {
                b.writeString(" ")
                writeParameters(ext.parameters, into: &b)
                writeExtensionTail(ext, into: &b)
            }
        case .singlePart(let part):
            b.writeIMAPString(part.type)
            b.writeString(" ")
            b.writeIMAPString(part.subtype)
            b.writeString(" ")
            writeParameters(part.parameters, into: &b)
            b.writeString(" ")
            b.writeIMAPNString(part.id)
            b.writeString(" ")
            b.writeIMAPNString(part.description)
            b.writeString(" ")
            b.writeIMAPString(part.encoding)
            b.writeString(" \(part.size)")
            switch part.specific {
            case .basic:
                break
            case .text(let lines):
                b.writeString(" \(lines)")
            case .message(let envelope, let inner, let lines):
                b.writeString(" ")
                writeEnvelope(envelope, into: &b)
                b.writeString(" ")
                writeBody(inner, extensible: extensible, into: &b)
                b.writeString(" \(lines)")
            }
            if extensible {
                b.writeString(" ")
                b.writeIMAPNString(part.md5)
                writeExtensionTail(part.extension, into: &b)
            }
        }
        b.writeString(")")
    }

    /// SP body-fld-dsp SP body-fld-lang SP body-fld-loc
    private func writeExtensionTail(_ ext: FetchBodyExtension, into b: inout ByteBuffer) {
        b.writeString(" ")
        if let type = ext.dispositionType {
            b.writeString("(")
            b.writeIMAPString(type)
            b.writeString(" ")
            writeParameters(ext.dispositionParameters, into: &b)
            b.writeString(")")
        } else {
            b.writeString("NIL")
        }
        b.writeString(" ")
        writeList(ext.languages, into: &b) { tag, b in b.writeIMAPString(tag) }
        b.writeString(" ")
        b.writeIMAPNString(ext.location)
    }

    /// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    private func writeParameters(_ parameters: [FetchParameter], into b: inout ByteBuffer) {
        writeList(parameters, into: &b) { p, b in
            b.writeIMAPString(p.name)
            b.writeString(" ")
            b.writeIMAPString(p.value)
        }
    }
}
