/// Byte strings that the layer above derived from a message's parse result and asks the store to keep
/// beside it, so that they need not be derived again: the IMAP session keeps there the text of FETCH
/// ENVELOPE, BODY and BODYSTRUCTURE, so that a message list copies bytes instead of encoding each
/// message anew (`Benchmarks/run.sh bigmailbox`). Opaque to the store: it keeps and returns them and
/// never reads them.
public struct DerivedTexts: Sendable, Equatable {
    /// How many texts a message has (an engine keeps exactly this many).
    public static let count = 3

    /// The version of the code that made them, kept with them: their maker ignores other versions.
    public var version: Int
    /// `count` texts.
    public var texts: [[UInt8]]

    public init(version: Int, texts: [[UInt8]]) {
        precondition(texts.count == Self.count, "DerivedTexts holds \(Self.count) texts")
        self.version = version
        self.texts = texts
    }
}

/// The derived texts of several messages in one buffer, without their parse results: read with one
/// allocation per batch instead of several per message (`Benchmarks/run.sh bigmailbox`).
public struct DerivedTextsBatch: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var uid: UID
        /// The version of the parse result they were derived from (`MessageStructure.version`).
        public var structureVersion: Int
        /// `DerivedTexts.version`.
        public var version: Int
        /// Where this entry's `DerivedTexts.count` ranges start in `ranges`.
        public var firstRange: Int

        public init(uid: UID, structureVersion: Int, version: Int, firstRange: Int) {
            self.uid = uid
            self.structureVersion = structureVersion
            self.version = version
            self.firstRange = firstRange
        }
    }

    public var bytes: [UInt8]
    /// `DerivedTexts.count` ranges of `bytes` per entry, in entry order.
    public var ranges: [Range<Int>]
    /// Ascending by UID; a message without stored texts is absent.
    public var entries: [Entry]

    public init(bytes: [UInt8] = [], ranges: [Range<Int>] = [], entries: [Entry] = []) {
        self.bytes = bytes
        self.ranges = ranges
        self.entries = entries
    }

    /// Where text `index` of `entry` is in `bytes`.
    public func range(_ entry: Entry, _ index: Int) -> Range<Int> {
        ranges[entry.firstRange + index]
    }

    /// One entry's texts as their own arrays.
    public func texts(_ entry: Entry) -> DerivedTexts {
        DerivedTexts(
            version: entry.version, texts: (0..<DerivedTexts.count).map { Array(bytes[range(entry, $0)]) })
    }

    /// Begins an entry; its texts follow with `appendText`.
    public mutating func beginEntry(uid: UID, structureVersion: Int, version: Int) {
        entries.append(Entry(uid: uid, structureVersion: structureVersion, version: version, firstRange: ranges.count))
    }

    /// Appends one text of the entry begun last.
    public mutating func appendText(_ text: some Collection<UInt8>) {
        let start = bytes.count
        bytes.append(contentsOf: text)
        ranges.append(start..<bytes.count)
    }

    /// Appends one message's texts.
    public mutating func append(uid: UID, structureVersion: Int, _ derived: DerivedTexts) {
        beginEntry(uid: uid, structureVersion: structureVersion, version: derived.version)
        for text in derived.texts { appendText(text) }
    }
}

extension MailStore {
    /// From `structures`; engines that can read the texts alone do better.
    public func derivedTexts(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> DerivedTextsBatch {
        var batch = DerivedTextsBatch()
        for (uid, structure) in try await structures(account: account, mailbox: mailbox, uids: uids).sorted(by: {
            $0.key < $1.key
        }) {
            if let derived = structure.derived {
                batch.append(uid: uid, structureVersion: structure.version, derived)
            }
        }
        return batch
    }
}
