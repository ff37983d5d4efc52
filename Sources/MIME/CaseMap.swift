import Foundation

/// The i;unicode-casemap comparator of RFC 5051, used by IMAP SEARCH (RFC 9051 §6.4.4).
///
/// RFC 5051 §2 maps each character to its titlecase and then takes the NFKD decomposition. Here each
/// scalar is mapped through its full uppercase and then full lowercase mapping (so "ß" and "SS" both
/// become "ss", and final sigma matches sigma — a superset of the simple titlecase equivalence), and
/// the result is NFKD-normalised (so "é" precomposed and decomposed, or "ﬁ" and "fi", compare equal).
/// ASCII text takes a fast path.
public enum UnicodeCaseMap {
    /// The folded, NFKD form of `s`, as UTF-8.
    ///
    /// ASCII bytes are lowercased in place; each maximal run of non-ASCII characters is folded on its
    /// own. That equals folding the whole string: case mapping is per character, and NFKD only
    /// decomposes characters and reorders runs of combining marks, never across an ASCII character
    /// (every ASCII character is a starter). Mostly-ASCII text (most mail) thus stays on the fast path.
    public static func fold(_ s: String) -> [UInt8] {
        var utf8 = Array(s.utf8)
        var i = 0
        while i < utf8.count, utf8[i] < 0x80 {
            if utf8[i] >= 65 && utf8[i] <= 90 { utf8[i] += 32 }
            i += 1
        }
        if i == utf8.count { return utf8 }
        var folded = Array(utf8[..<i])
        folded.reserveCapacity(utf8.count + 16)
        while i < utf8.count {
            let byte = utf8[i]
            if byte < 0x80 {
                folded.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
                i += 1
                continue
            }
            var end = i
            while end < utf8.count, utf8[end] >= 0x80 { end += 1 }
            folded += foldNonASCII(String(decoding: utf8[i..<end], as: UTF8.self))
            i = end
        }
        return folded
    }

    /// Full uppercase then full lowercase mapping of each character, then NFKD.
    private static func foldNonASCII(_ s: String) -> [UInt8] {
        var mapped = ""
        mapped.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            for u in scalar.properties.uppercaseMapping.unicodeScalars {
                mapped += u.properties.lowercaseMapping
            }
        }
        return Array(mapped.decomposedStringWithCompatibilityMapping.utf8)
    }

    /// The folded form as a String.
    public static func foldedString(_ s: String) -> String { String(decoding: fold(s), as: UTF8.self) }

    /// Whether `needle` occurs in `haystack` under i;unicode-casemap (the SEARCH substring match).
    /// The empty needle matches everything.
    public static func contains(_ haystack: String, _ needle: String) -> Bool {
        let n = fold(needle)
        if n.isEmpty { return true }
        return Matcher(folded: n).matches(fold(haystack))
    }

    /// Equality under i;unicode-casemap.
    public static func equals(_ a: String, _ b: String) -> Bool { fold(a) == fold(b) }

    /// A pre-folded needle, for matching one search key against many messages.
    public struct Matcher: Sendable {
        public let needle: [UInt8]

        public init(_ needle: String) { self.needle = UnicodeCaseMap.fold(needle) }
        init(folded: [UInt8]) { self.needle = folded }

        /// Whether the needle occurs in `text` (folded here).
        public func matches(_ text: String) -> Bool { matches(UnicodeCaseMap.fold(text)) }

        /// Whether the needle occurs in already-folded UTF-8.
        public func matches(_ folded: [UInt8]) -> Bool {
            guard let first = needle.first else { return true }
            let n = needle.count
            guard folded.count >= n else { return false }
            var i = 0
            let last = folded.count - n
            while i <= last {
                if folded[i] == first {
                    var j = 1
                    while j < n, folded[i + j] == needle[j] { j += 1 }
                    if j == n { return true }
                }
                i += 1
            }
            return false
        }
    }
}
