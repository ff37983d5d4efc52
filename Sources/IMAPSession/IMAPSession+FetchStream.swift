import IMAPWire
import MIME
import MailStore
import NIOCore

/// FETCH of a whole large message (RFC822, BODY[] and BODY.PEEK[] without a partial; RFC 9051
/// §6.4.5): the literal is written as the message file is read, chunk by chunk, instead of after the
/// whole message has been loaded and copied. The client gets its first byte at once, and the server
/// holds one chunk of the message, not all of it.
extension IMAPSession {
    /// Messages larger than this are streamed (when the FETCH allows it, see `streamedItemIndex`).
    static let streamThreshold = 1024 * 1024
    /// Bytes read from the message file and written per step.
    static let streamChunk = 256 * 1024
    /// The first step's bytes: small, so that the client has data as soon as possible (with the
    /// response's beginning, in one TLS record).
    static let firstStreamChunk = 4 * 1024 - 512

    /// The position of the one item that needs the message's bytes, when it is the whole message
    /// and nothing else needs them (and no BINARY item, which could still fail): then the message
    /// can be streamed. Nil otherwise.
    static func streamedItemIndex(_ items: [FetchAttribute]) -> Int? {
        var found: Int?
        for (index, item) in items.enumerated() {
            switch item {
            case .rfc822:
                break
            case .bodySection(_, let section, nil) where section.part.isEmpty && section.kind == .complete:
                break
            case .binary, .binarySize:
                return nil
            default:
                if needsContent(item) { return nil }
                continue
            }
            if found != nil { return nil }
            found = index
        }
        return found
    }

    /// Writes `* seq FETCH (... BODY[] {size}` + the message + `...)`, flushing as it goes (from
    /// `content` when the caller opened it already). Returns false when the message is gone. A read failure after the literal has begun cannot be reported
    /// in the protocol: it is thrown, and the caller closes the connection.
    func streamFetchResponse(
        seq: Int, meta: MessageMeta, message: FetchedMessage, items: [FetchAttribute], streamed index: Int,
        content opened: MessageContent? = nil
    ) async throws -> Bool {
        guard let content = try await content(of: meta.uid, opened: opened) else { return false }
        // The other items need no message bytes (`streamedItemIndex`), so they cannot fail.
        let before = fetchAttributes(Array(items[..<index]), meta: meta, message: message) ?? []
        let after = fetchAttributes(Array(items[(index + 1)...]), meta: meta, message: message) ?? []
        var writer = FetchResponseWriter()
        // RFC 9586 §3.3: under UIDONLY the response is a UIDFETCH numbered by the UID.
        let number = extensions.uidOnly ? UInt32(meta.uid) : UInt32(seq)
        writer.write(.start(sequenceNumber: number, uidFetch: extensions.uidOnly), into: &out)
        for attribute in before { writer.write(.attribute(attribute), into: &out) }
        let streamed: StreamingAttribute
        if case .bodySection(_, let section, _) = items[index] {
            streamed = .bodySection(section, origin: nil)
        } else {
            streamed = .rfc822
        }
        writer.write(.streamingBegin(streamed, byteCount: content.size), into: &out)
        do {
            // A small first chunk goes out with the response's beginning (one TLS record): the client
            // sees data at once; then larger chunks.
            var chunkSize = Self.firstStreamChunk
            while true {
                var chunk = try content.read(upTo: chunkSize)
                let head = chunkSize == Self.firstStreamChunk
                chunkSize = Self.streamChunk
                if chunk.isEmpty { break }
                // As message text in a whole response: a NUL goes out as 0x80, sizes unchanged.
                if Self.containsNUL(chunk) {
                    for i in chunk.indices where chunk[i] == 0 { chunk[i] = 0x80 }
                }
                // The message's bytes go into the output as they are, as the writer's `.streamingBytes`
                // would write them: passed through it, each chunk made a large message's first byte
                // arrive much later (bigmailbox workload), for a reason not found yet.
                out.writeBytes(chunk)
                await flush(head: head)
                // A client that went away gets nothing more: the rest of the message is not read.
                guard connection.isOpen else { throw ClientGone() }
            }
        } catch {
            streamFailed = true
            throw error
        }
        writer.write(.streamingEnd, into: &out)
        for attribute in after { writer.write(.attribute(attribute), into: &out) }
        writer.write(.finish, into: &out)
        return true
    }

    /// The connection closed while a message was being streamed.
    struct ClientGone: Error {}

    /// `opened`, or the message's content opened now; nil when the message is gone.
    func content(of uid: UID, opened: MessageContent?) async throws -> MessageContent? {
        if let opened { return opened }
        guard let view = selected else { return nil }
        if let content = try await store.openContent(account: accountID, mailbox: view.id, uid: uid) {
            return content
        }
        // Expunged by another session meanwhile, not yet reported here: kept readable (RFC 2180 §4.1.1).
        guard let retained = retainedMessage(uid) else { return nil }
        return try await offLoop { retained.open() }
    }
}
