import NIOCore

/// sort-key = ["REVERSE" SP] ("ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO")   (RFC 5256 §5)
/// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"   (RFC 5957 §3)
public enum SortKey: String, Sendable, Hashable, CaseIterable {
    case arrival = "ARRIVAL"
    case cc = "CC"
    case date = "DATE"
    case from = "FROM"
    case size = "SIZE"
    case subject = "SUBJECT"
    case to = "TO"
    case displayFrom = "DISPLAYFROM"
    case displayTo = "DISPLAYTO"
}

/// One sort criterion: a key, ascending unless REVERSE.
public struct SortCriterion: Sendable, Hashable {
    public var key: SortKey
    public var reverse: Bool

    public init(_ key: SortKey, reverse: Bool = false) {
        self.key = key
        self.reverse = reverse
    }
}

/// partial-range = partial-range-first / partial-range-last   (RFC 9394 §5)
/// partial-range-first = nz-number ":" nz-number
/// partial-range-last  = MINUS nz-number ":" MINUS nz-number
///
/// Positions count from 1 in the result; negative ones count back from its end (-1 is the last).
public struct SearchPartialRange: Sendable, Hashable {
    /// As written: both positive or both negative, in either order.
    public var first: Int64
    public var last: Int64

    public init(_ first: Int64, _ last: Int64) {
        self.first = first
        self.last = last
    }

    /// The zero-based indices of a result of `count` entries that this range selects (empty when none).
    public func indices(count: Int) -> Range<Int> {
        let low = min(abs(first), abs(last))
        let high = max(abs(first), abs(last))
        let lower: Int64
        let upper: Int64
        if first > 0 {
            lower = low - 1
            upper = min(high, Int64(count))
        } else {
            lower = max(Int64(count) - high, 0)
            upper = Int64(count) - low + 1
        }
        guard lower < upper, lower < Int64(count) else { return 0..<0 }
        return Int(lower)..<Int(upper)
    }
}

/// sort = ["UID" SP] "SORT" [sort-return-opts] SP sort-criteria SP search-criteria   (RFC 5256 §5, RFC 5267 §3)
public struct SortCommand: Sendable, Hashable {
    /// nil: no RETURN (a `* SORT` answer); otherwise an ESEARCH answer (ESORT); `[]` means ALL.
    public var returnOptions: [SearchReturnOption]?
    /// RETURN (PARTIAL x:y) (RFC 9394); `returnOptions` is then not nil.
    public var partial: SearchPartialRange?
    public var criteria: [SortCriterion]
    public var charset: String
    /// Several top-level keys are returned as `.and`.
    public var key: SearchKey
    public var uid: Bool

    public init(
        returnOptions: [SearchReturnOption]? = nil, partial: SearchPartialRange? = nil, criteria: [SortCriterion],
        charset: String, key: SearchKey,
        uid: Bool = false
    ) {
        self.returnOptions = returnOptions
        self.partial = partial
        self.criteria = criteria
        self.charset = charset
        self.key = key
        self.uid = uid
    }
}

/// thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext   (RFC 5256 §5)
public enum ThreadAlgorithm: String, Sendable, Hashable, CaseIterable {
    case orderedSubject = "ORDEREDSUBJECT"
    case references = "REFERENCES"
}

/// thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria   (RFC 5256 §5)
public struct ThreadCommand: Sendable, Hashable {
    public var algorithm: ThreadAlgorithm
    public var charset: String
    public var key: SearchKey
    public var uid: Bool

    public init(algorithm: ThreadAlgorithm, charset: String, key: SearchKey, uid: Bool = false) {
        self.algorithm = algorithm
        self.charset = charset
        self.key = key
        self.uid = uid
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes ` RETURN (...)`.
    @discardableResult
    mutating func writeReturnOptions(_ options: [SearchReturnOption], partial: SearchPartialRange?) -> Int {
        var words = options.map(\.rawValue)
        if let p = partial { words.append("PARTIAL \(p.first):\(p.last)") }
        return writeString(" RETURN (" + words.joined(separator: " ") + ")")
    }

    /// Writes ` key...` (the search keys of search-criteria, after the charset).
    @discardableResult
    mutating func writeSearchKeys(_ key: SearchKey) -> Int {
        var n = 0
        if case .and(let keys) = key, keys.count > 1 {
            for k in keys { n += writeString(" ") + writeSearchKey(k) }
        } else {
            n += writeString(" ") + writeSearchKey(key)
        }
        return n
    }

    /// Writes `SORT ...` (without the UID prefix).
    @discardableResult
    public mutating func writeSortCommand(_ sort: SortCommand) -> Int {
        var n = writeString("SORT")
        if let r = sort.returnOptions { n += writeReturnOptions(r, partial: sort.partial) }
        let criteria = sort.criteria.map { ($0.reverse ? "REVERSE " : "") + $0.key.rawValue }
        n += writeString(" (" + criteria.joined(separator: " ") + ") ")
        n += writeIMAPAtomOrString(sort.charset)
        return n + writeSearchKeys(sort.key)
    }

    /// Writes `THREAD ...` (without the UID prefix).
    @discardableResult
    public mutating func writeThreadCommand(_ thread: ThreadCommand) -> Int {
        var n = writeString("THREAD " + thread.algorithm.rawValue + " ")
        n += writeIMAPAtomOrString(thread.charset)
        return n + writeSearchKeys(thread.key)
    }
}
