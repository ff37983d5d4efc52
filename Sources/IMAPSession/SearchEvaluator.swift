import Foundation
import IMAPWire
import MIME
import MailStore

/// Evaluates SEARCH keys (RFC 9051 §6.4.4) against one message. Header keys match decoded header values
/// (RFC 2047 encoded words, addresses with their display names); BODY and TEXT match the decoded text of
/// the text parts in their charsets; comparison is i;unicode-casemap substring matching (RFC 5051).
struct SearchEvaluator {
    struct Message {
        var sequenceNumber: Int
        var meta: MessageMeta
        var recent: Bool
        var content: MIMEMessage?
    }

    /// Number of messages and highest UID in the view, for `*`.
    var messageCount: Int
    var lastUID: UID
    /// The SEARCHRES variable `$` (RFC 5182).
    var savedSearch: Set<UID> = []
    /// The moment OLDER and YOUNGER count back from: one for the whole command (RFC 5032 §3).
    var now = Date()

    static func needsContent(_ key: SearchKey) -> Bool {
        switch key {
        case .bcc, .body, .cc, .from, .subject, .text, .to, .header, .sentBefore, .sentOn, .sentSince: return true
        case .not(let inner): return needsContent(inner)
        case .or(let a, let b): return needsContent(a) || needsContent(b)
        case .and(let keys): return keys.contains(where: needsContent)
        default: return false
        }
    }

    /// Whether `key` reads nothing of a message's content but its own header: header keys (SUBJECT,
    /// FROM, HEADER, ...) and sent dates, with keys that read no content at all.
    static func readsHeaderOnly(_ key: SearchKey) -> Bool {
        switch key {
        case .body, .text: return false
        case .not(let inner): return readsHeaderOnly(inner)
        case .or(let a, let b): return readsHeaderOnly(a) && readsHeaderOnly(b)
        case .and(let keys): return keys.allSatisfy(readsHeaderOnly)
        default: return true
        }
    }

    /// System flags every match must have (`with`) and must not have (`without`): a necessary
    /// condition the store can apply from an index before the full evaluation.
    static func flagPrefilter(_ key: SearchKey) -> (with: SystemFlags, without: SystemFlags) {
        switch key {
        case .seen: return (.seen, [])
        case .unseen, .new: return ([], .seen)
        case .answered: return (.answered, [])
        case .unanswered: return ([], .answered)
        case .deleted: return (.deleted, [])
        case .undeleted: return ([], .deleted)
        case .draft: return (.draft, [])
        case .undraft: return ([], .draft)
        case .flagged: return (.flagged, [])
        case .unflagged: return ([], .flagged)
        case .and:
            let result = flagTerms(key)
            // Contradictory keys (SEEN UNSEEN) match nothing; the full evaluation says so.
            if !result.with.isDisjoint(with: result.without) { return ([], []) }
            return result
        default: return ([], [])
        }
    }

    /// The system flags `key` requires and forbids, from its flag keys at the top level and in nested
    /// AND lists. For a key of flag keys only (`isFlagsOnly`) this is the whole key; the two overlap
    /// when keys contradict each other (SEEN UNSEEN), and then nothing matches.
    static func flagTerms(_ key: SearchKey) -> (with: SystemFlags, without: SystemFlags) {
        guard case .and(let keys) = key else { return flagPrefilter(key) }
        var result: (with: SystemFlags, without: SystemFlags) = ([], [])
        for key in keys {
            let inner = flagTerms(key)
            result.with.formUnion(inner.with)
            result.without.formUnion(inner.without)
        }
        return result
    }

    /// Whether `flagPrefilter` says all there is to the key: system flag keys (and ALL), joined by AND.
    static func isFlagsOnly(_ key: SearchKey) -> Bool {
        switch key {
        case .all, .seen, .unseen, .answered, .unanswered, .deleted, .undeleted, .draft, .undraft, .flagged,
            .unflagged:
            return true
        case .and(let keys): return keys.allSatisfy(isFlagsOnly)
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
        case .older(let seconds): return now.timeIntervalSince(message.meta.internalDate) > TimeInterval(seconds)
        case .younger(let seconds): return now.timeIntervalSince(message.meta.internalDate) <= TimeInterval(seconds)
        case .before(let date): return Self.compare(Self.internalDay(message.meta), date) < 0
        case .on(let date): return Self.compare(Self.internalDay(message.meta), date) == 0
        case .since(let date): return Self.compare(Self.internalDay(message.meta), date) >= 0
        case .sentBefore(let date): return sentDay(message).map { Self.compare($0, date) < 0 } ?? false
        case .sentOn(let date): return sentDay(message).map { Self.compare($0, date) == 0 } ?? false
        case .sentSince(let date): return sentDay(message).map { Self.compare($0, date) >= 0 } ?? false
        case .from(let s): return headerContains(message, "From", s)
        case .to(let s): return headerContains(message, "To", s)
        case .cc(let s): return headerContains(message, "Cc", s)
        case .bcc(let s): return headerContains(message, "Bcc", s)
        case .subject(let s): return headerContains(message, "Subject", s)
        case .header(let name, let s): return headerContains(message, name, s)
        case .body(let s): return message.content.map { bodyContains($0, s) } ?? false
        case .text(let s):
            guard let content = message.content else { return false }
            let matcher = Self.matcher(s)
            return matcher.matches(Self.decodedHeader(content)) || bodyContains(content, s)
        case .uid(.lastCommandResult), .sequenceSet(.lastCommandResult): return savedSearch.contains(message.meta.uid)
        case .uid(let set): return contains(set, value: message.meta.uid, last: lastUID)
        case .sequenceSet(let set):
            return contains(set, value: UInt32(message.sequenceNumber), last: UInt32(messageCount))
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
        guard let value = message.content?.rawHeaderValues("Date").first else { return nil }
        return RFC5322Date.day(String(decoding: value, as: UTF8.self))
    }

    /// HEADER with an empty string matches every message that has the field (RFC 9051 §6.4.4). Address
    /// fields match "Display Name <mailbox@host>" with the name decoded; others the decoded value.
    private func headerContains(_ message: Message, _ name: String, _ needle: [UInt8]) -> Bool {
        guard let content = message.content else { return false }
        let raw = content.rawHeaderValues(name)
        if needle.isEmpty { return !raw.isEmpty }
        guard !raw.isEmpty else { return false }
        let matcher = Self.matcher(needle)
        if Self.addressFields.contains(name.lowercased()) {
            if matcher.matches(content.searchableAddresses(name)) { return true }
        }
        return raw.contains { matcher.matches(EncodedWords.decode($0)) }
    }

    static let addressFields: Set<String> = ["from", "to", "cc", "bcc", "sender", "reply-to"]

    private func bodyContains(_ content: MIMEMessage, _ needle: [UInt8]) -> Bool {
        let matcher = Self.matcher(needle)
        return content.textParts.contains { part in
            content.withDecodedTextUTF8(of: part) { matcher.matches(utf8: $0) }
        }
    }

    static func matcher(_ needle: [UInt8]) -> UnicodeCaseMap.Matcher {
        UnicodeCaseMap.Matcher(String(decoding: needle, as: UTF8.self))
    }

    /// The headers of the message and of its parts and attached messages, with encoded words decoded, for
    /// TEXT.
    static func decodedHeader(_ content: MIMEMessage) -> String {
        content.headerRanges.map { EncodedWords.decode(Array(content.bytes[$0])) }.joined(separator: "\r\n")
    }

    /// The day of a message's internal date in the zone it was given in (RFC 9051 §6.4.4: BEFORE, ON
    /// and SINCE compare the internal date "disregarding time and timezone").
    static func internalDay(_ meta: MessageMeta) -> (year: Int, month: Int, day: Int) {
        utcDay(meta.internalDate.addingTimeInterval(TimeInterval(meta.internalDateZone * 60)))
    }

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
