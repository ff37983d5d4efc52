import Foundation
import Synchronization

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
    public static func fold(_ s: String) -> [UInt8] { fold(utf8: Array(s.utf8)) }

    /// `fold` of UTF-8 bytes (invalid sequences are read as U+FFFD, as `String(decoding:)` does).
    public static func fold(utf8 input: consuming [UInt8]) -> [UInt8] {
        var utf8 = input
        let count = utf8.count
        let asciiPrefix = utf8.withUnsafeMutableBufferPointer { lowercaseASCIIPrefix($0) }
        if asciiPrefix == count { return utf8 }
        var folded: [UInt8] = []
        folded.reserveCapacity(count + count / 8 + 16)
        folded += utf8[..<asciiPrefix]
        var i = asciiPrefix
        while i < count {
            // A run of non-ASCII characters, folded on its own...
            var end = i
            while end < count, utf8[end] >= 0x80 { end += 1 }
            let run = String(decoding: utf8[i..<end], as: UTF8.self)
            if !appendCachedFolds(of: run, to: &folded) { folded += foldNonASCII(run) }
            i = end
            guard i < count else { break }
            // ...then the ASCII that follows, lowercased in place eight bytes at a time and copied.
            let ascii = utf8.withUnsafeMutableBufferPointer {
                lowercaseASCIIPrefix(UnsafeMutableBufferPointer(rebasing: $0[i...]))
            }
            folded += utf8[i..<(i + ascii)]
            i += ascii
        }
        return folded
    }

    /// Lowercases ASCII letters in place up to the first non-ASCII byte; returns that byte's index
    /// (the count when all are ASCII). Eight bytes at a time: a word without a high bit is lowercased
    /// with a few integer operations (no byte can carry into the next: each is below 0x80).
    static func lowercaseASCIIPrefix(_ buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        let count = buffer.count
        var i = 0
        let raw = UnsafeMutableRawPointer(base)
        while i + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            let atLeastA = (word &+ 0x3F3F_3F3F_3F3F_3F3F) & 0x8080_8080_8080_8080
            let aboveZ = (word &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
            let upper = atLeastA & ~aboveZ
            if upper != 0 { raw.storeBytes(of: word | (upper >> 2), toByteOffset: i, as: UInt64.self) }
            i += 8
        }
        while i < count {
            let byte = base[i]
            if byte >= 0x80 { return i }
            if byte >= 65 && byte <= 90 { base[i] = byte + 32 }
            i += 1
        }
        return count
    }

    /// Folds of single non-ASCII characters that are starters (canonical combining class 0) and whose
    /// fold starts with a starter, as they are met (mail uses few distinct ones: é, ü, “, —, ...).
    private static let starterFolds = Mutex<[UInt32: [UInt8]]>([:])
    private static let starterFoldsLimit = 8192

    /// Appends the fold of `run` character by character from `starterFolds`, which is exact when every
    /// character is such a starter: canonical reordering never crosses a starter, so NFKD of the run
    /// is the concatenation. False (nothing appended) when some character is not.
    private static func appendCachedFolds(of run: String, to folded: inout [UInt8]) -> Bool {
        let start = folded.count
        for scalar in run.unicodeScalars {
            if let cached = starterFolds.withLock({ $0[scalar.value] }) {
                folded += cached
                continue
            }
            guard scalar.properties.canonicalCombiningClass == .notReordered else {
                folded.removeSubrange(start...)
                return false
            }
            let fold = foldNonASCII(String(scalar))
            let first = String(decoding: fold, as: UTF8.self).unicodeScalars.first
            guard let first, first.properties.canonicalCombiningClass == .notReordered else {
                folded.removeSubrange(start...)
                return false
            }
            starterFolds.withLock { cache in
                if cache.count < starterFoldsLimit { cache[scalar.value] = fold }
            }
            folded += fold
        }
        return true
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

        /// Whether the needle occurs in UTF-8 text (folded here).
        public func matches(utf8 text: [UInt8]) -> Bool {
            text.withUnsafeBufferPointer { matches(utf8: $0) }
        }

        /// Bytes of text folded at a time by `matches(utf8:)`.
        public static let window = 256 * 1024

        /// Whether the needle occurs in UTF-8 text, folded a window at a time, so a large body costs
        /// one window of memory, not a folded copy of itself (SEARCH TEXT of a 20 MB message, `Benchmarks/run.sh bigmailbox`).
        ///
        /// Folding is independent across ASCII characters (see `fold`), so a window that ends just
        /// after an ASCII byte folds as it would within the whole text; a window is stretched until it
        /// does. A match that crosses into the next window starts within the last `needle.count - 1`
        /// folded bytes, which are kept (`carry`) and tried with the start of the next one.
        public func matches(utf8 text: UnsafeBufferPointer<UInt8>, window: Int = Matcher.window) -> Bool {
            guard !needle.isEmpty else { return true }
            let overlap = needle.count - 1
            var carry: [UInt8] = []
            var start = 0
            while start < text.count {
                var end = min(start + max(window, 1), text.count)
                while end < text.count && text[end - 1] >= 0x80 { end += 1 }
                let folded = UnicodeCaseMap.fold(utf8: Array(UnsafeBufferPointer(rebasing: text[start..<end])))
                if !carry.isEmpty && overlap > 0 && matches(carry + folded.prefix(overlap)) { return true }
                if matches(folded) { return true }
                carry =
                    folded.count >= overlap ? Array(folded.suffix(overlap)) : Array((carry + folded).suffix(overlap))
                start = end
            }
            return false
        }

        /// Whether the needle occurs in already-folded UTF-8 (memchr finds each candidate start).
        public func matches(_ folded: [UInt8]) -> Bool {
            guard let first = needle.first else { return true }
            let n = needle.count
            guard folded.count >= n else { return false }
            return folded.withUnsafeBytes { hay in
                needle.withUnsafeBytes { pin in
                    let base = hay.baseAddress!
                    let last = folded.count - n
                    var i = 0
                    while i <= last {
                        guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return false }
                        let at = base.distance(to: UnsafeRawPointer(hit))
                        if memcmp(base + at, pin.baseAddress!, n) == 0 { return true }
                        i = at + 1
                    }
                    return false
                }
            }
        }
    }
}
