/// Comparators (RFC 4790 §9, RFC 5228 §2.7.3) applied with a match type (§2.7.1) or a relational
/// operator (RFC 5231). i;octet and i;ascii-casemap work on octets (RFC 4790 §9.2, §9.3), so `?` matches
/// one byte of UTF-8, as in Pigeonhole; everything takes at most O(value × key) steps.
struct SieveMatcher {
    enum Comparator { case octet, asciiCasemap, asciiNumeric }
    enum Kind: Equatable { case `is`, contains, matches, count(String), value(String) }

    var comparator: Comparator
    var kind: Kind

    init(_ call: SieveCall) {
        switch call.string("comparator") {
        case "i;octet": comparator = .octet
        case "i;ascii-numeric": comparator = .asciiNumeric
        default: comparator = .asciiCasemap
        }
        if call.has("contains") {
            kind = .contains
        } else if call.has("matches") {
            kind = .matches
        } else if let op = call.string("count") {
            kind = .count(op.lowercased())
        } else if let op = call.string("value") {
            kind = .value(op.lowercased())
        } else {
            kind = .is
        }
    }

    var isCount: Bool {
        if case .count = kind { return true }
        return false
    }

    /// Whether any value matches any key; for `:matches`, the captures of the first match (the whole
    /// value then each wildcard's text, RFC 5229 §3.2).
    /// Throws when the comparisons would take more than ``SieveLimits/maxMatchSteps`` steps.
    func test(
        _ values: [String], _ keys: [String]
    ) throws(SieveRuntimeError) -> (
        matched: Bool, captures: [[UInt8]]?
    ) {
        var budget = SieveLimits.maxMatchSteps
        if case .count(let op) = kind {
            let count = String(values.count)
            return (keys.contains { relate(count, $0, op, numeric: true) }, nil)
        }
        for v in values {
            for k in keys {
                switch kind {
                case .is: if equal(v, k) { return (true, nil) }
                case .contains: if try contains(v, k, budget: &budget) { return (true, nil) }
                case .value(let op): if relate(v, k, op, numeric: comparator == .asciiNumeric) { return (true, nil) }
                case .matches:
                    if let caps = try Self.wildcard(
                        Array(v.utf8), Self.pattern(k), fold: fold, budget: &budget)
                    {
                        return (true, [Array(v.utf8)] + caps)
                    }
                case .count: break
                }
            }
        }
        return (false, nil)
    }

    private var fold: Bool { comparator == .asciiCasemap }

    static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c + 32 : c }

    private func normalized(_ s: String) -> [UInt8] { fold ? s.utf8.map(Self.lower) : Array(s.utf8) }

    func equal(_ a: String, _ b: String) -> Bool {
        if comparator == .asciiNumeric { return Self.numericCompare(a, b) == 0 }
        return normalized(a) == normalized(b)
    }

    func contains(_ haystack: String, _ needle: String, budget: inout Int) throws(SieveRuntimeError) -> Bool {
        let h = normalized(haystack)
        let n = normalized(needle)
        if n.isEmpty { return true }
        guard n.count <= h.count else { return false }
        for start in 0...(h.count - n.count) where h[start] == n[0] {
            var i = 1
            while i < n.count, h[start + i] == n[i] { i += 1 }
            try Self.spend(i, &budget)
            if i == n.count { return true }
        }
        return false
    }

    static func spend(_ steps: Int, _ budget: inout Int) throws(SieveRuntimeError) {
        budget -= steps
        guard budget >= 0 else {
            throw SieveRuntimeError("matching needs more than \(SieveLimits.maxMatchSteps) steps")
        }
    }

    /// RFC 5231 §4: the comparator's ordering of value against key.
    private func relate(_ value: String, _ key: String, _ op: String, numeric: Bool) -> Bool {
        let order: Int
        if numeric || comparator == .asciiNumeric {
            order = Self.numericCompare(value, key)
        } else {
            let a = normalized(value)
            let b = normalized(key)
            order = a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
        }
        switch op {
        case "gt": return order > 0
        case "ge": return order >= 0
        case "lt": return order < 0
        case "le": return order <= 0
        case "eq": return order == 0
        default: return order != 0
        }
    }

    /// i;ascii-numeric (RFC 4790 §9.1): the leading digits as a number; a string without leading digits
    /// is positive infinity, equal to any other such string.
    static func numericCompare(_ a: String, _ b: String) -> Int {
        func digits(_ s: String) -> [UInt8]? {
            let d = s.utf8.prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard !d.isEmpty else { return nil }
            let trimmed = d.drop { $0 == 0x30 }
            return Array(trimmed)
        }
        switch (digits(a), digits(b)) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (let x?, let y?):
            if x.count != y.count { return x.count < y.count ? -1 : 1 }
            if x == y { return 0 }
            return x.lexicographicallyPrecedes(y) ? -1 : 1
        }
    }

    enum PatternItem: Equatable { case star, any, literal(UInt8) }

    /// A `:matches` key: `*` and `?` are wildcards, `\` makes the next character literal.
    static func pattern(_ key: String) -> [PatternItem] {
        var out: [PatternItem] = []
        var escaped = false
        for c in key.utf8 {
            if escaped {
                out.append(.literal(c))
                escaped = false
            } else if c == UInt8(ascii: "\\") {
                escaped = true
            } else if c == UInt8(ascii: "*") {
                // Each `*` is its own wildcard, even next to another (`**` sets two match variables,
                // the first always empty: RFC 5229 §3.2).
                out.append(.star)
            } else {
                out.append(c == UInt8(ascii: "?") ? .any : .literal(c))
            }
        }
        return out
    }

    /// Greedy-star two-pointer matching: on a mismatch only the last `*` takes one more character, so
    /// the work is bounded by text × pattern. Each wildcard matches as little as possible, leftmost
    /// first; returns each wildcard's text, or nil when the pattern does not match.
    static func wildcard(
        _ text: [UInt8], _ pat: [PatternItem], fold: Bool, budget: inout Int
    )
        throws(SieveRuntimeError) -> [[UInt8]]?
    {
        var caps: [Range<Int>] = []
        var t = 0
        var p = 0
        var star: (p: Int, start: Int, end: Int, caps: Int)?
        func same(_ a: UInt8, _ b: UInt8) -> Bool { fold ? lower(a) == lower(b) : a == b }
        while t < text.count {
            try spend(1, &budget)
            if p < pat.count {
                switch pat[p] {
                case .star:
                    star = (p, t, t, caps.count)
                    caps.append(t..<t)
                    p += 1
                    continue
                case .any:
                    caps.append(t..<(t + 1))
                    p += 1
                    t += 1
                    continue
                case .literal(let c) where same(c, text[t]):
                    p += 1
                    t += 1
                    continue
                default:
                    break
                }
            }
            guard var s = star else { return nil }
            s.end += 1
            star = s
            caps.removeSubrange((s.caps + 1)...)
            caps[s.caps] = s.start..<s.end
            t = s.end
            p = s.p + 1
        }
        while p < pat.count, pat[p] == .star {
            caps.append(t..<t)
            p += 1
        }
        guard p == pat.count else { return nil }
        // Bytes, not text: a `?` may split a UTF-8 sequence that `${1}${2}` joins again.
        return caps.map { Array(text[$0]) }
    }
}
