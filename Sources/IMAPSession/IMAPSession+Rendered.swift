import Foundation
import IMAPWire
import MIME
import MailStore
import NIOCore

/// A message's ENVELOPE, BODY and BODYSTRUCTURE as IMAP text (RFC 9051 §7.5.2), rendered once from its
/// parse result and kept by the store as that message's `DerivedTexts` (in this order).
struct RenderedStructure: Equatable {
    static let envelopeText = 0
    static let bodyText = 1
    static let bodyStructureText = 2

    var version: Int
    var envelope: [UInt8]
    var body: [UInt8]
    var bodyStructure: [UInt8]

    init(version: Int, envelope: [UInt8], body: [UInt8], bodyStructure: [UInt8]) {
        self.version = version
        self.envelope = envelope
        self.body = body
        self.bodyStructure = bodyStructure
    }

    init(_ derived: DerivedTexts) {
        self.init(
            version: derived.version, envelope: derived.texts[Self.envelopeText], body: derived.texts[Self.bodyText],
            bodyStructure: derived.texts[Self.bodyStructureText])
    }

    var derived: DerivedTexts {
        DerivedTexts(version: version, texts: [envelope, body, bodyStructure])
    }
}

/// ENVELOPE, BODY and BODYSTRUCTURE rendered once per message (`RenderedStructure`): at APPEND, next to
/// the parse result, so that `FETCH 1:* (ENVELOPE BODYSTRUCTURE)` on a big mailbox copies stored bytes
/// instead of decoding each parse result and encoding it again (`Benchmarks/run.sh bigmailbox`).
extension IMAPSession {
    /// The version of `render`'s output: raise it whenever the encoding of ENVELOPE, BODY or
    /// BODYSTRUCTURE changes, and stored renderings of older versions are ignored (rendered anew).
    static let renderVersion = 1

    /// The three items' values exactly as `ResponseEncoder` writes them from the parse result.
    static func render(_ parsed: ParsedMessage) -> RenderedStructure {
        let encoder = ResponseEncoder()
        let body = FetchBody(parsed.root)
        return RenderedStructure(
            version: renderVersion, envelope: encoder.encodeValue(FetchEnvelope(parsed.root.envelope ?? Envelope())),
            body: encoder.encodeValue(body, extensible: false),
            bodyStructure: encoder.encodeValue(body, extensible: true))
    }

    /// What the store keeps of a freshly parsed message: the parse result and its rendering.
    static func storedForm(of parsed: ParsedMessage) -> MessageStructure {
        MessageStructure(
            version: ParsedMessage.serializationVersion, data: parsed.serialized(), derived: render(parsed).derived)
    }

    /// What APPEND stores with a message, for writers outside a session (delivery, import): the parse
    /// result and rendering of a staged message file, read mapped. Nil when the file cannot be mapped
    /// (the store then parses the message when it is first fetched). Slow: call it off the event loop.
    public static func storedStructure(ofFileAt url: URL) -> MessageStructure? {
        (try? Data(contentsOf: url, options: .alwaysMapped)).map { data in
            data.withUnsafeBytes { storedForm(of: MessageParser.parse($0.bindMemory(to: UInt8.self))) }
        }
    }

    /// The stored renderings of these messages of the selected mailbox, of the current render and parse
    /// result versions. Messages without one are absent (the caller uses their parse result).
    func storedRenderings(_ uids: [UID]) async throws -> [UID: RenderedStructure] {
        guard let view = selected, !uids.isEmpty else { return [:] }
        let batch = try await store.derivedTexts(account: accountID, mailbox: view.id, uids: UIDSet(uids))
        var result: [UID: RenderedStructure] = [:]
        for entry in batch.entries where Self.isCurrent(entry) {
            result[entry.uid] = RenderedStructure(batch.texts(entry))
        }
        return result
    }

    /// Whether a stored rendering was made by this encoder from a parse result of this parser.
    static func isCurrent(_ entry: DerivedTextsBatch.Entry) -> Bool {
        entry.structureVersion == ParsedMessage.serializationVersion && entry.version == renderVersion
    }

    /// Whether every item that needs the message's structure can be answered from its rendering.
    static func renderingSuffices(_ items: [FetchAttribute]) -> Bool {
        items.allSatisfy { item in
            switch item {
            case .envelope, .body, .bodyStructure: return true
            default: return !needsStructure(item) && !needsContent(item)
            }
        }
    }
}
