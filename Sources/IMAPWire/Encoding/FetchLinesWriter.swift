/// FETCH responses of many messages whose items are only UID, MODSEQ and values kept encoded (flag
/// lists, and ENVELOPE/BODY/BODYSTRUCTURE from `ResponseEncoder.encodeValue`): a whole big mailbox's
/// `FETCH 1:* (FLAGS)` or `(ENVELOPE BODYSTRUCTURE)`. The bytes equal `ResponseEncoder`'s for the same
/// responses.
///
/// Why not `ResponseEncoder` into a ByteBuffer: per line, ByteBuffer's capacity and exclusivity checks
/// on each small write cost more than the writing itself. Here the lines go through a pointer into a
/// scratch area; the caller checks the room once per line (`bound`) and hands the area to its output
/// when it is full. Measured by `Benchmarks/run.sh bigmailbox` (UID FETCH 1:* (FLAGS) and FETCH 1:*
/// (ENVELOPE BODYSTRUCTURE)).
public struct FetchLinesWriter {
    /// The items such a line may have.
    public enum Item: Sendable, Hashable {
        case uid, modSeq, flags, envelope, body, bodyStructure

        /// The line item for a requested FETCH attribute, or nil when it needs more than this writer has.
        public init?(_ attribute: FetchAttribute) {
            switch attribute {
            case .uid: self = .uid
            case .modSeq: self = .modSeq
            case .flags: self = .flags
            case .envelope: self = .envelope
            case .body: self = .body
            case .bodyStructure: self = .bodyStructure
            default: return nil
            }
        }
    }

    /// Kept encodings of one message's ENVELOPE, BODY and BODYSTRUCTURE values: ranges of `bytes`.
    public struct EncodedStructure {
        public var bytes: [UInt8]
        public var envelope: Range<Int>
        public var body: Range<Int>
        public var bodyStructure: Range<Int>

        public init(bytes: [UInt8], envelope: Range<Int>, body: Range<Int>, bodyStructure: Range<Int>) {
            self.bytes = bytes
            self.envelope = envelope
            self.body = body
            self.bodyStructure = bodyStructure
        }
    }

    private var scratch: ScratchWriter

    public init(capacity: Int) {
        scratch = ScratchWriter(capacity: capacity)
    }

    /// Frees the scratch area; the writer is not used afterwards.
    public func deallocate() { scratch.deallocate() }

    public var capacity: Int { scratch.capacity }
    public var count: Int { scratch.count }
    /// The lines written since the last `reset`.
    public var written: UnsafeBufferPointer<UInt8> { scratch.written }
    public mutating func reset() { scratch.count = 0 }

    /// The most bytes one line of `items` takes, with a flag list and structure values of these sizes.
    public static func bound(items: [Item], flags: Int, structure: EncodedStructure?) -> Int {
        // "* " + 10 digits + " UIDFETCH (" + ")\r\n", and per item its name, 20 digits and separators.
        var bound = 32 + items.count * (40 + flags)
        if let structure {
            bound += items.count * (structure.envelope.count + structure.body.count + structure.bodyStructure.count)
        }
        return bound
    }

    /// `* n FETCH (items)`, or `* uid UIDFETCH (items)` when `uidFetch` (RFC 9586 §3.3); `flags` is an
    /// encoded flag-list (`ResponseEncoder.encodeValue(_: [Flag])`). The caller made sure that `bound`
    /// bytes are free.
    public mutating func writeLine(
        items: [Item], sequenceNumber: UInt32, uid: UInt32, modSeq: UInt64, flags: [UInt8],
        structure: EncodedStructure?, uidFetch: Bool = false
    ) {
        scratch.put("* ")
        scratch.decimal(UInt64(uidFetch ? uid : sequenceNumber))
        scratch.put(uidFetch ? " UIDFETCH (" : " FETCH (")
        for (k, item) in items.enumerated() {
            if k > 0 { scratch.put(" ") }
            switch item {
            case .uid:
                scratch.put("UID ")
                scratch.decimal(UInt64(uid))
            case .modSeq:
                scratch.put("MODSEQ (")
                scratch.decimal(modSeq)
                scratch.put(")")
            case .flags:
                scratch.put("FLAGS ")
                scratch.put(flags)
            case .envelope:
                scratch.put("ENVELOPE ")
                if let structure { scratch.put(structure.bytes, structure.envelope) }
            case .body:
                scratch.put("BODY ")
                if let structure { scratch.put(structure.bytes, structure.body) }
            case .bodyStructure:
                scratch.put("BODYSTRUCTURE ")
                if let structure { scratch.put(structure.bytes, structure.bodyStructure) }
            }
        }
        scratch.put(")\r\n")
    }
}
