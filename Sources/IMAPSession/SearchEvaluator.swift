import Foundation
import IMAPWire
import MailStore

/// Evaluates SEARCH keys (RFC 9051 §6.4.4) against one message. Header and body keys match the raw
/// text, case-insensitively (ASCII and simple Unicode folding); decoded MIME matching comes with the
/// message model.
struct SearchEvaluator {
    struct Message {
        var sequenceNumber: Int
        var meta: MessageMeta
        var recent: Bool
        var content: MessageText?
    }

    /// Number of messages and highest UID in the view, for `*`.
    var messageCount: Int
    var lastUID: UID
    /// The SEARCHRES variable `$` (RFC 5182).
    var savedSearch: Set<UID> = []

    static func needsContent(_ key: SearchKey) -> Bool {
        switch key {
        case .bcc, .body, .cc, .from, .subject, .text, .to, .header, .sentBefore, .sentOn, .sentSince: return true
        case .not(let inner): return needsContent(inner)
        case .or(let a, let b): return needsContent(a) || needsContent(b)
        case .and(let keys): return keys.contains(where: needsContent)
        default: return false
        }
    }

    func matches(_ key: SearchKey, _ message: Message) -> Bool {
        let flags = message.meta.flags
        switch key {
        case .all: return true
        case .answered: return flags.system.contains(.answered)
        case .deleted: return flags.system.contains(.deleted)
        case .draft: return flags.system.contains(.draft)
        case .flagged: return flags.system.contains(.flagged)
        case .seen: return flags.system.contains(.seen)
        case .unanswered: return !flags.system.contains(.answered)
        case .undeleted: return !flags.system.contains(.deleted)
        case .undraft: return !flags.system.contains(.draft)
        case .unflagged: return !flags.system.contains(.flagged)
        case .unseen: return !flags.system.contains(.seen)
        case .recent: return message.recent
        case .new: return message.recent && !flags.system.contains(.seen)
        case .old: return !message.recent
        case .keyword(let flag): return hasFlag(flags, flag)
        case .unkeyword(let flag): return !hasFlag(flags, flag)
        case .larger(let n): return UInt64(message.meta.size) > n
        case .smaller(let n): return UInt64(message.meta.size) < n
        case .modSeq(let n): return message.meta.modSeq >= n
        case .savedBefore(let date): return Self.compare(Self.utcDay(message.meta.saveDate), date) < 0
        case .savedOn(let date): return Self.compare(Self.utcDay(message.meta.saveDate), date) == 0
        case .savedSince(let date): return Self.compare(Self.utcDay(message.meta.saveDate), date) >= 0
        case .saveDateSupported: return true
        case .emailID(let id): return message.meta.emailID == id
        case .threadID: return false  // no threading yet: THREADID is NIL for every message
        case .before(let date): return Self.compare(Self.utcDay(message.meta.internalDate), date) < 0
        case .on(let date): return Self.compare(Self.utcDay(message.meta.internalDate), date) == 0
        case .since(let date): return Self.compare(Self.utcDay(message.meta.internalDate), date) >= 0
        case .sentBefore(let date): return sentDay(message).map { Self.compare($0, date) < 0 } ?? false
        case .sentOn(let date): return sentDay(message).map { Self.compare($0, date) == 0 } ?? false
        case .sentSince(let date): return sentDay(message).map { Self.compare($0, date) >= 0 } ?? false
        case .from(let s): return headerContains(message, "From", s)
        case .to(let s): return headerContains(message, "To", s)
        case .cc(let s): return headerContains(message, "Cc", s)
        case .bcc(let s): return headerContains(message, "Bcc", s)
        case .subject(let s): return headerContains(message, "Subject", s)
        case .header(let name, let s): return headerContains(message, name, s)
        case .body(let s): return message.content.map { Self.contains($0.body, s) } ?? false
        case .text(let s): return message.content.map { Self.contains($0.bytes[...], s) } ?? false
        case .uid(.lastCommandResult), .sequenceSet(.lastCommandResult): return savedSearch.contains(message.meta.uid)
        case .uid(let set): return contains(set, value: message.meta.uid, last: lastUID)
        case .sequenceSet(let set): return contains(set, value: UInt32(message.sequenceNumber), last: UInt32(messageCount))
        case .not(let inner): return !matches(inner, message)
        case .or(let a, let b): return matches(a, message) || matches(b, message)
        case .and(let keys): return keys.allSatisfy { matches($0, message) }
        }
    }

    private func hasFlag(_ flags: MessageFlags, _ flag: Flag) -> Bool {
        switch flag {
        case .seen: return flags.system.contains(.seen)
        case .answered: return flags.system.contains(.answered)
        case .flagged: return flags.system.contains(.flagged)
        case .deleted: return flags.system.contains(.deleted)
        case .draft: return flags.system.contains(.draft)
        case .recent, .extension: return false
        case .keyword(let k): return flags.keywords.contains { $0.lowercased() == k.lowercased() }
        }
    }

    private func contains(_ set: SequenceSet, value: UInt32, last: UInt32) -> Bool {
        guard case .ranges(let ranges) = set else { return false }
        return Self.rangesContain(ranges, value: value, last: last)
    }

    static func rangesContain(_ ranges: [SequenceRange], value: UInt32, last: UInt32) -> Bool {
        for range in ranges {
            let a = Self.number(range.first, last: last)
            let b = Self.number(range.last, last: last)
            if value >= min(a, b) && value <= max(a, b) { return true }
        }
        return false
    }

    private static func number(_ n: SequenceNumber, last: UInt32) -> UInt32 {
        switch n {
        case .number(let v): return v
        case .last: return last
        }
    }

    private func sentDay(_ message: Message) -> (year: Int, month: Int, day: Int)? {
        guard let value = message.content?.values(of: "Date").first else { return nil }
        return RFC5322Date.day(value)
    }

    /// HEADER with an empty string matches every message that has the field (RFC 9051 §6.4.4).
    private func headerContains(_ message: Message, _ name: String, _ needle: [UInt8]) -> Bool {
        guard let content = message.content else { return false }
        let values = content.values(of: name)
        if needle.isEmpty { return !values.isEmpty }
        return values.contains { Self.contains(Array($0.utf8)[...], needle) }
    }

    /// Case-insensitive substring search: ASCII bytes are folded directly; anything non-ASCII is compared
    /// after Unicode lowercasing.
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.allSatisfy({ $0 < 0x80 }) {
            let folded = needle.map(asciiLower)
            let first = folded[0]
            var i = haystack.startIndex
            let end = haystack.endIndex - folded.count
            while i <= end {
                if asciiLower(haystack[i]) == first {
                    var j = 1
                    while j < folded.count && asciiLower(haystack[i + j]) == folded[j] { j += 1 }
                    if j == folded.count { return true }
                }
                i += 1
            }
            return false
        }
        let text = String(decoding: haystack, as: UTF8.self).lowercased()
        return text.contains(String(decoding: needle, as: UTF8.self).lowercased())
    }

    @inline(__always) static func asciiLower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    static func utcDay(_ date: Date) -> (year: Int, month: Int, day: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return (c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }

    static func compare(_ a: (year: Int, month: Int, day: Int), _ b: IMAPDate) -> Int {
        if a.year != b.year { return a.year < b.year ? -1 : 1 }
        if a.month != b.month { return a.month < b.month ? -1 : 1 }
        if a.day != b.day { return a.day < b.day ? -1 : 1 }
        return 0
    }
}
