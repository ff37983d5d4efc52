import NIOCore

/// seq-number = nz-number / "*"
public enum SequenceNumber: Sendable, Hashable {
    case number(UInt32)
    /// `*`: the largest number in use.
    case last
}

/// seq-range = seq-number ":" seq-number; a single number has `first == last`.
public struct SequenceRange: Sendable, Hashable {
    public var first: SequenceNumber
    public var last: SequenceNumber

    public init(_ first: SequenceNumber, _ last: SequenceNumber) {
        self.first = first
        self.last = last
    }

    public init(_ single: SequenceNumber) { self.init(single, single) }

    public init(_ range: ClosedRange<UInt32>) { self.init(.number(range.lowerBound), .number(range.upperBound)) }
}

/// sequence-set = (seq-number / seq-range) ["," sequence-set] / seq-last-command
public enum SequenceSet: Sendable, Hashable {
    case ranges([SequenceRange])
    /// `$` (RFC 5182 SEARCHRES): the result of the last SEARCH ... RETURN (SAVE).
    case lastCommandResult

    public static func single(_ n: UInt32) -> SequenceSet { .ranges([SequenceRange(.number(n))]) }
    public static let all = SequenceSet.ranges([SequenceRange(.number(1), .last)])
}

// MARK: - Encoding

extension ByteBuffer {
    @discardableResult
    public mutating func writeSequenceNumber(_ n: SequenceNumber) -> Int {
        switch n {
        case .number(let v): return writeString(String(v))
        case .last: return writeString("*")
        }
    }

    @discardableResult
    public mutating func writeSequenceSet(_ set: SequenceSet) -> Int {
        switch set {
        case .lastCommandResult:
            return writeString("$")
        case .ranges(let ranges):
            var n = 0
            for (i, r) in ranges.enumerated() {
                if i > 0 { n += writeString(",") }
                n += writeSequenceNumber(r.first)
                if r.first != r.last {
                    n += writeString(":")
                    n += writeSequenceNumber(r.last)
                }
            }
            return n
        }
    }
}
