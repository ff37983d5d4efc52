/// A set of UIDs as sorted, non-overlapping, non-adjacent closed ranges.
public struct UIDSet: Sendable, Equatable, Sequence {
    public private(set) var ranges: [ClosedRange<UID>]

    public init() { ranges = [] }

    /// Linear in the number of UIDs when they come ascending (as they mostly do), else a sort first.
    public init<S: Sequence>(_ uids: S) where S.Element == UID {
        var sorted = Array(uids)
        if !zip(sorted, sorted.dropFirst()).allSatisfy({ $0 <= $1 }) { sorted.sort() }
        self.init(ascendingRanges: sorted.lazy.map { $0...$0 })
    }

    public init(ranges: [ClosedRange<UID>]) {
        self.init(ascendingRanges: ranges.sorted(by: { $0.lowerBound < $1.lowerBound }))
    }

    /// Merges ranges sorted by lower bound in one pass (overlapping or adjacent ones join).
    private init<S: Sequence>(ascendingRanges: S) where S.Element == ClosedRange<UID> {
        var merged: [ClosedRange<UID>] = []
        for r in ascendingRanges {
            if let last = merged.last, r.lowerBound <= last.upperBound || r.lowerBound - last.upperBound == 1 {
                if r.upperBound > last.upperBound { merged[merged.count - 1] = last.lowerBound...r.upperBound }
            } else {
                merged.append(r)
            }
        }
        ranges = merged
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public var count: Int { ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 } }

    public func contains(_ uid: UID) -> Bool {
        var lo = 0
        var hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = ranges[mid]
            if uid < r.lowerBound {
                hi = mid - 1
            } else if uid > r.upperBound {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }

    /// Inserts a range, merging with neighbours that overlap or touch it.
    public mutating func insert(_ range: ClosedRange<UID>) {
        var lower = range.lowerBound
        var upper = range.upperBound
        var result: [ClosedRange<UID>] = []
        result.reserveCapacity(ranges.count + 1)
        var placed = false
        for r in ranges {
            if r.upperBound < lower && lower - r.upperBound > 1 {
                result.append(r)
            } else if r.lowerBound > upper && r.lowerBound - upper > 1 {
                if !placed {
                    result.append(lower...upper)
                    placed = true
                }
                result.append(r)
            } else {
                lower = Swift.min(lower, r.lowerBound)
                upper = Swift.max(upper, r.upperBound)
            }
        }
        if !placed { result.append(lower...upper) }
        ranges = result
    }

    public mutating func insert(_ uid: UID) {
        if let last = ranges.last, last.upperBound != UID.max, uid == last.upperBound + 1 {
            ranges[ranges.count - 1] = last.lowerBound...uid
        } else if let last = ranges.last, uid > last.upperBound {
            ranges.append(uid...uid)
        } else {
            insert(uid...uid)
        }
    }

    public func makeIterator() -> AnyIterator<UID> {
        var rangeIndex = 0
        var next: UInt64 = ranges.first.map { UInt64($0.lowerBound) } ?? 0
        let ranges = self.ranges
        return AnyIterator {
            while rangeIndex < ranges.count {
                let r = ranges[rangeIndex]
                if next <= UInt64(r.upperBound) {
                    defer { next += 1 }
                    return UID(next)
                }
                rangeIndex += 1
                if rangeIndex < ranges.count { next = UInt64(ranges[rangeIndex].lowerBound) }
            }
            return nil
        }
    }
}
