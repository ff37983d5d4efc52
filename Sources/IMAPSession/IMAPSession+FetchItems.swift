import Foundation
import IMAPWire
import MIME
import MailStore
import NIOCore

/// What FETCH knows of one message: its bytes (when an item needs them) and its parse result.
struct FetchedMessage {
    var bytes: [UInt8]?
    var structure: ParsedMessage?
    /// ENVELOPE, BODY and BODYSTRUCTURE ready to copy, when the FETCH needs nothing else of the structure.
    var rendered: RenderedStructure? = nil
    /// Where `bytes` start in the message: a partial FETCH of the whole message reads only its range.
    var offset = 0
}

/// Building one FETCH response (RFC 9051 §7.5.2) from stored metadata and the message model.
extension IMAPSession {
    /// `* n FETCH (...)`, or false when a BINARY item meets an unknown transfer encoding (RFC 3516 §4.3).
    /// Written straight into the output (no per-message buffer); nothing is written when it fails.
    func writeFetchResponse(seq: Int, meta: MessageMeta, message: FetchedMessage, items: [FetchAttribute]) -> Bool {
        let mark = out.writerIndex
        out.writeString("* ")
        out.writeString(String(seq))
        out.writeString(" FETCH (")
        guard writeFetchItems(items, meta: meta, message: message, into: &out) else {
            out.moveWriterIndex(to: mark)
            return false
        }
        out.writeString(")\r\n")
        return true
    }

    /// The items of a FETCH response, space-separated; false when a BINARY item meets an unknown
    /// transfer encoding.
    func writeFetchItems(
        _ items: [FetchAttribute], meta: MessageMeta, message: FetchedMessage, into b: inout ByteBuffer
    ) -> Bool {
        for (index, item) in items.enumerated() {
            if index > 0 { b.writeString(" ") }
            switch item {
            case .uid:
                b.writeString("UID ")
                b.writeString(String(meta.uid))
            case .flags:
                b.writeString("FLAGS ")
                Self.writeFlagList(
                    meta.flags, recent: !rev2Enabled && (selected?.recent.contains(meta.uid) ?? false), into: &b)
            case .internalDate:
                b.writeString("INTERNALDATE ")
                b.writeInternalDate(meta.internalDate)
            case .rfc822Size:
                b.writeString("RFC822.SIZE \(meta.size)")
            case .modSeq:
                b.writeString("MODSEQ (\(meta.modSeq))")
            case .saveDate:
                b.writeString("SAVEDATE ")
                b.writeInternalDate(meta.saveDate)
            case .emailID:
                b.writeString("EMAILID (\(meta.emailID))")
            case .threadID:
                b.writeString("THREADID NIL")
            case .rfc822:
                b.writeString("RFC822 ")
                Self.writeMessageText(message.bytes ?? [], into: &b)
            case .rfc822Header:
                b.writeString("RFC822.HEADER ")
                Self.writeMessageText(Self.section(message, SectionSpec(part: [], kind: .header)), into: &b)
            case .rfc822Text:
                b.writeString("RFC822.TEXT ")
                Self.writeMessageText(Self.section(message, SectionSpec(part: [], kind: .text)), into: &b)
            case .envelope:
                b.writeString("ENVELOPE ")
                if let rendered = message.rendered {
                    b.writeBytes(rendered.envelope)
                } else {
                    b.writeEnvelope(message.structure?.root.envelope ?? Envelope())
                }
            case .body, .bodyStructure:
                b.writeString(item == .body ? "BODY " : "BODYSTRUCTURE ")
                if let rendered = message.rendered {
                    b.writeBytes(item == .body ? rendered.body : rendered.bodyStructure)
                } else if let root = message.structure?.root {
                    b.writeBodyStructure(root, extensible: item == .bodyStructure)
                } else {
                    b.writeString("NIL")
                }
            case .bodySection(_, let section, let partial):
                b.writeString("BODY")
                b.writeSection(section)
                var bytes = Self.section(message, section)
                if let partial {
                    b.writeString("<\(partial.offset)>")
                    var range = partial
                    if message.offset > 0 {
                        // Only the range was read (`partialWholeMessage`).
                        range.offset = partial.offset >= message.offset ? partial.offset - UInt32(message.offset) : 0
                    }
                    bytes = bytes.map { Self.slice($0, range) }
                }
                b.writeString(" ")
                Self.writeMessageText(bytes, into: &b)
            case .binary(_, let part, let partial):
                guard var bytes = Self.binary(message, part) else { return false }
                b.writeString("BINARY[" + part.map(String.init).joined(separator: ".") + "]")
                if let partial {
                    b.writeString("<\(partial.offset)>")
                    bytes = Self.slice(bytes, partial)
                }
                // RFC 3516 §4.2: literal8 when the decoded data contains NUL.
                b.writeString(bytes.contains(0) ? " ~{\(bytes.count)}\r\n" : " {\(bytes.count)}\r\n")
                b.writeBytes(bytes)
            case .binarySize(let part):
                guard let bytes = Self.binary(message, part) else { return false }
                b.writeString("BINARY.SIZE[" + part.map(String.init).joined(separator: ".") + "] \(bytes.count)")
            }
        }
        return true
    }

    /// Message text as a literal, or NIL. A literal cannot carry NUL (RFC 9051 §9, CHAR8), so a NUL
    /// stored in a message (only BINARY, with literal8, gives it exactly) is sent as 0x80, which keeps
    /// every size and offset as stored.
    static func writeMessageText(_ bytes: [UInt8]?, into b: inout ByteBuffer) {
        guard var bytes else {
            b.writeString("NIL")
            return
        }
        if containsNUL(bytes) {
            for i in bytes.indices where bytes[i] == 0 { bytes[i] = 0x80 }
        }
        b.writeIMAPLiteral(bytes)
    }

    /// Whether `bytes` has a NUL (memchr: a message is scanned at memory speed).
    static func containsNUL(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return false }
            return memchr(base, 0, raw.count) != nil
        }
    }

    /// A BODY[...] section (RFC 9051 §6.4.5); nil when the part does not exist.
    static func section(_ message: FetchedMessage, _ section: SectionSpec) -> [UInt8]? {
        guard let bytes = message.bytes else { return nil }
        if section.part.isEmpty && section.kind == .complete { return bytes }
        guard let structure = message.structure else { return nil }
        let mime = MIMEMessage(bytes: bytes, structure: structure)
        switch section.kind {
        case .complete: return mime.section(section.part, .body).map(Array.init)
        case .header: return mime.section(section.part, .header).map(Array.init)
        case .text: return mime.section(section.part, .text).map(Array.init)
        case .mime: return mime.section(section.part, .mime).map(Array.init)
        case .headerFields(let names): return mime.headerFields(section.part, names: names, not: false)
        case .headerFieldsNot(let names): return mime.headerFields(section.part, names: names, not: true)
        }
    }

    /// BINARY[part] (RFC 3516 §4.1): the part with its transfer encoding undone; `[]` is the whole
    /// message. Nil when the encoding is unknown; an empty result for a part that does not exist.
    static func binary(_ message: FetchedMessage, _ path: [Int]) -> [UInt8]? {
        guard let bytes = message.bytes else { return [] }
        if path.isEmpty { return bytes }
        guard let structure = message.structure, let part = structure.part(path) else { return [] }
        return MIMEMessage(bytes: bytes, structure: structure).decodedBody(of: part)
    }

    /// Stored parse results of the current parser version for these messages of the selected mailbox.
    func storedStructures(_ uids: [UID]) async throws -> [UID: ParsedMessage] {
        guard let view = selected, !uids.isEmpty else { return [:] }
        let stored = try await store.structures(account: accountID, mailbox: view.id, uids: UIDSet(uids))
        var result: [UID: ParsedMessage] = [:]
        for (uid, structure) in stored where structure.version == ParsedMessage.serializationVersion {
            if let parsed = ParsedMessage(serialized: structure.data) { result[uid] = parsed }
        }
        return result
    }

    /// Parses a message that has no current parse result and stores it for next time (a message stored
    /// before the parser changed, or one delivered without one).
    func parseAndKeep(_ bytes: [UInt8], uid: UID) async -> ParsedMessage {
        let parsed = MessageParser.parse(bytes)
        if let view = selected {
            let structure = Self.storedForm(of: parsed)
            do {
                try await store.setStructure(account: accountID, mailbox: view.id, uid: uid, structure: structure)
            } catch {
                logger.warning("could not keep a message's structure: \(error)")
            }
        }
        return parsed
    }
}
