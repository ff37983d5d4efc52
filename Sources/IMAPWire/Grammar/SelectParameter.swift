import NIOCore

/// select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
///                [SP seq-match-data] ")"   (RFC 7162)
public enum SelectParameter: Sendable, Hashable {
    case condstore
    case qresync(QResyncParameters)
}

public struct QResyncParameters: Sendable, Hashable {
    public var uidValidity: UInt32
    public var modSeq: UInt64
    public var knownUIDs: SequenceSet?
    /// seq-match-data = "(" known-sequence-set SP known-uid-set ")"
    public var sequenceMatch: SequenceMatch?

    public struct SequenceMatch: Sendable, Hashable {
        public var knownSequenceSet: SequenceSet
        public var knownUIDSet: SequenceSet

        public init(knownSequenceSet: SequenceSet, knownUIDSet: SequenceSet) {
            self.knownSequenceSet = knownSequenceSet
            self.knownUIDSet = knownUIDSet
        }
    }

    public init(uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil, sequenceMatch: SequenceMatch? = nil)
    {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.sequenceMatch = sequenceMatch
    }
}

/// create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")"   (RFC 6154)
public enum CreateParameter: Sendable, Hashable {
    /// Special-use attributes with their backslash, e.g. `\Sent`.
    case use([String])
}

// MARK: - Encoding

extension ByteBuffer {
    @discardableResult
    public mutating func writeSelectParameters(_ params: [SelectParameter]) -> Int {
        guard !params.isEmpty else { return 0 }
        var n = writeString(" (")
        for (i, p) in params.enumerated() {
            if i > 0 { n += writeString(" ") }
            switch p {
            case .condstore:
                n += writeString("CONDSTORE")
            case .qresync(let q):
                n += writeString("QRESYNC (\(q.uidValidity) \(q.modSeq)")
                if let known = q.knownUIDs { n += writeString(" ") + writeSequenceSet(known) }
                if let m = q.sequenceMatch {
                    n +=
                        writeString(" (") + writeSequenceSet(m.knownSequenceSet) + writeString(" ")
                        + writeSequenceSet(m.knownUIDSet) + writeString(")")
                }
                n += writeString(")")
            }
        }
        return n + writeString(")")
    }

    @discardableResult
    public mutating func writeCreateParameters(_ params: [CreateParameter]) -> Int {
        guard !params.isEmpty else { return 0 }
        var n = writeString(" (")
        for (i, p) in params.enumerated() {
            if i > 0 { n += writeString(" ") }
            switch p {
            case .use(let attrs): n += writeString("USE (" + attrs.joined(separator: " ") + ")")
            }
        }
        return n + writeString(")")
    }
}
