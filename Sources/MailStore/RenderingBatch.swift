/// The stored ENVELOPE, BODY and BODYSTRUCTURE text (`RenderedStructure`) of several messages in one
/// buffer, without their parse results: what `FETCH 1:* (ENVELOPE BODYSTRUCTURE)` copies, read with
/// one allocation per batch instead of several per message (`Benchmarks/run.sh bigmailbox`).
public struct RenderingBatch: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var uid: UID
        /// The version of the parse result it was rendered from (`MessageStructure.version`).
        public var structureVersion: Int
        /// `RenderedStructure.version`.
        public var renderVersion: Int
        public var envelope: Range<Int>
        public var body: Range<Int>
        public var bodyStructure: Range<Int>

        public init(
            uid: UID, structureVersion: Int, renderVersion: Int, envelope: Range<Int>, body: Range<Int>,
            bodyStructure: Range<Int>
        ) {
            self.uid = uid
            self.structureVersion = structureVersion
            self.renderVersion = renderVersion
            self.envelope = envelope
            self.body = body
            self.bodyStructure = bodyStructure
        }
    }

    public var bytes: [UInt8]
    /// Ascending by UID; a message without a stored rendering is absent.
    public var entries: [Entry]

    public init(bytes: [UInt8] = [], entries: [Entry] = []) {
        self.bytes = bytes
        self.entries = entries
    }

    /// One entry's rendering as its own arrays.
    public func rendered(_ entry: Entry) -> RenderedStructure {
        RenderedStructure(
            version: entry.renderVersion, envelope: Array(bytes[entry.envelope]), body: Array(bytes[entry.body]),
            bodyStructure: Array(bytes[entry.bodyStructure]))
    }

    /// Appends one message's rendering.
    public mutating func append(uid: UID, structureVersion: Int, _ rendered: RenderedStructure) {
        func add(_ part: [UInt8]) -> Range<Int> {
            bytes.append(contentsOf: part)
            return (bytes.count - part.count)..<bytes.count
        }
        entries.append(
            Entry(
                uid: uid, structureVersion: structureVersion, renderVersion: rendered.version,
                envelope: add(rendered.envelope), body: add(rendered.body), bodyStructure: add(rendered.bodyStructure)))
    }
}

extension MailStore {
    /// From `structures`; engines that can read the renderings alone do better.
    public func renderings(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> RenderingBatch {
        var batch = RenderingBatch()
        for (uid, structure) in try await structures(account: account, mailbox: mailbox, uids: uids).sorted(by: {
            $0.key < $1.key
        }) {
            if let rendered = structure.rendered {
                batch.append(uid: uid, structureVersion: structure.version, rendered)
            }
        }
        return batch
    }
}
