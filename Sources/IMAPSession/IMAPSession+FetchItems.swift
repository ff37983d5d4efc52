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
    /// `* n FETCH (...)`, or false when a BINARY item meets an unknown transfer encoding (RFC 3516 §4.3);
    /// nothing is written when it fails.
    func writeFetchResponse(seq: Int, meta: MessageMeta, message: FetchedMessage, items: [FetchAttribute]) -> Bool {
        guard let attributes = fetchAttributes(items, meta: meta, message: message) else { return false }
        send(.fetch(FetchResponse(sequenceNumber: UInt32(seq), attributes: attributes)))
        return true
    }

    /// The data items of a FETCH response, in the order asked; nil when a BINARY item meets an unknown
    /// transfer encoding.
    func fetchAttributes(_ items: [FetchAttribute], meta: MessageMeta, message: FetchedMessage) -> [MessageAttribute]? {
        var attributes: [MessageAttribute] = []
        attributes.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .uid:
                attributes.append(.uid(meta.uid))
            case .flags:
                attributes.append(.flags(wireFlags(meta.flags, uid: meta.uid)))
            case .internalDate:
                attributes.append(.internalDate(InternalDate(meta.internalDate, zoneMinutes: meta.internalDateZone)))
            case .rfc822Size:
                attributes.append(.rfc822Size(meta.size))
            case .modSeq:
                attributes.append(.modSeq(meta.modSeq))
            case .saveDate:
                attributes.append(.saveDate(InternalDate(meta.saveDate)))
            case .emailID:
                attributes.append(.emailID(meta.emailID))
            case .threadID:
                attributes.append(.threadID(nil))
            case .preview:
                // RFC 8970 §3: LAZY lets the server leave out a preview it does not have at hand; this
                // one always has it (from the cache, or from the content this FETCH read).
                attributes.append(.preview(preview(meta: meta, message: message)))
            case .rfc822:
                attributes.append(.rfc822(ByteBuffer(bytes: message.bytes ?? [])))
            case .rfc822Header:
                let header = Self.section(message, SectionSpec(part: [], kind: .header))
                attributes.append(.rfc822Header(header.map { ByteBuffer(bytes: $0) }))
            case .rfc822Text:
                let text = Self.section(message, SectionSpec(part: [], kind: .text))
                attributes.append(.rfc822Text(text.map { ByteBuffer(bytes: $0) }))
            case .envelope:
                if let rendered = message.rendered {
                    attributes.append(.encoded(.envelope, rendered.envelope))
                } else {
                    attributes.append(.envelope(FetchEnvelope(message.structure?.root.envelope ?? Envelope())))
                }
            case .body, .bodyStructure:
                let structure = item == .bodyStructure
                if let rendered = message.rendered {
                    attributes.append(
                        structure
                            ? .encoded(.bodyStructure, rendered.bodyStructure) : .encoded(.body, rendered.body))
                } else if let root = message.structure?.root {
                    attributes.append(structure ? .bodyStructure(FetchBody(root)) : .body(FetchBody(root)))
                } else {
                    attributes.append(.encoded(structure ? .bodyStructure : .body, Array("NIL".utf8)))
                }
            case .bodySection(_, let section, let partial):
                var bytes = Self.section(message, section)
                if let partial {
                    var range = partial
                    if message.offset > 0 {
                        // Only the range was read (`partialWholeMessage`).
                        range.offset = partial.offset >= message.offset ? partial.offset - UInt32(message.offset) : 0
                    }
                    bytes = bytes.map { Self.slice($0, range) }
                }
                attributes.append(
                    .bodySection(section, origin: partial?.offset, data: bytes.map { ByteBuffer(bytes: $0) }))
            case .binary(_, let part, let partial):
                guard var bytes = Self.binary(message, part) else { return nil }
                if let partial { bytes = Self.slice(bytes, partial) }
                attributes.append(.binary(part: part, origin: partial?.offset, data: ByteBuffer(bytes: bytes)))
            case .binarySize(let part):
                guard let bytes = Self.binary(message, part) else { return nil }
                attributes.append(.binarySize(part: part, size: bytes.count))
            }
        }
        return attributes
    }

    /// The message's PREVIEW text, kept in `PreviewCache`; NIL only when the content could not be read.
    private func preview(meta: MessageMeta, message: FetchedMessage) -> String? {
        guard let bytes = message.bytes, message.offset == 0 else { return nil }
        let structure = message.structure ?? MessageParser.parse(bytes)
        return PreviewCache.shared.preview(for: meta.emailID) {
            MessagePreview.text(bytes: bytes, structure: structure)
        }
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

    /// BINARY[part] (RFC 3516 §4.1): the part with its transfer encoding undone, and for the whole message
    /// (`[]`), a multipart or a message/rfc822 part, that of every part inside
    /// (``MIMEMessage/binarySection(_:)``). Nil when an encoding is unknown; an empty result for a part that
    /// does not exist.
    static func binary(_ message: FetchedMessage, _ path: [Int]) -> [UInt8]? {
        guard let bytes = message.bytes else { return [] }
        guard let structure = message.structure, let part = structure.part(path) else {
            return path.isEmpty ? bytes : []
        }
        let mime = MIMEMessage(bytes: bytes, structure: structure)
        if path.isEmpty || part.isMultipart || part.isMessage { return mime.binarySection(path) }
        return mime.decodedBody(of: part)
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
