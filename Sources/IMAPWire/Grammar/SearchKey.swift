import NIOCore

/// search-key (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 7162 MODSEQ). Strings are raw bytes; their charset is the
/// SEARCH command's CHARSET.
public indirect enum SearchKey: Sendable, Hashable {
    case all, answered, deleted, draft, flagged, new, old, recent, seen
    case unanswered, undeleted, undraft, unflagged, unseen
    case bcc([UInt8]), body([UInt8]), cc([UInt8]), from([UInt8]), subject([UInt8]), text([UInt8]), to([UInt8])
    case header(String, [UInt8])
    case keyword(Flag), unkeyword(Flag)
    case before(IMAPDate), on(IMAPDate), since(IMAPDate)
    case sentBefore(IMAPDate), sentOn(IMAPDate), sentSince(IMAPDate)
    case larger(UInt64), smaller(UInt64)
    case uid(SequenceSet)
    case sequenceSet(SequenceSet)
    case not(SearchKey)
    case or(SearchKey, SearchKey)
    /// A parenthesized list, or several keys at the top level: all must match.
    case and([SearchKey])
    /// MODSEQ mod-sequence-valzer (RFC 7162, without the entry-name form).
    case modSeq(UInt64)
    /// SAVEDBEFORE / SAVEDON / SAVEDSINCE / SAVEDATESUPPORTED (RFC 8514 §4.3)
    case savedBefore(IMAPDate), savedOn(IMAPDate), savedSince(IMAPDate)
    case saveDateSupported
    /// EMAILID / THREADID (RFC 8474 §6): objectid = 1*255(ALPHA / DIGIT / "_" / "-")
    case emailID(String), threadID(String)
    /// OLDER / YOUNGER (RFC 5032 §3): the internal date is more than / at most this many seconds ago.
    case older(UInt32), younger(UInt32)
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes one search-key; `.and` is written parenthesized.
    @discardableResult
    public mutating func writeSearchKey(_ key: SearchKey) -> Int {
        switch key {
        case .all: return writeString("ALL")
        case .answered: return writeString("ANSWERED")
        case .deleted: return writeString("DELETED")
        case .draft: return writeString("DRAFT")
        case .flagged: return writeString("FLAGGED")
        case .new: return writeString("NEW")
        case .old: return writeString("OLD")
        case .recent: return writeString("RECENT")
        case .seen: return writeString("SEEN")
        case .unanswered: return writeString("UNANSWERED")
        case .undeleted: return writeString("UNDELETED")
        case .undraft: return writeString("UNDRAFT")
        case .unflagged: return writeString("UNFLAGGED")
        case .unseen: return writeString("UNSEEN")
        case .bcc(let s): return writeString("BCC ") + writeIMAPAtomOrString(s)
        case .body(let s): return writeString("BODY ") + writeIMAPAtomOrString(s)
        case .cc(let s): return writeString("CC ") + writeIMAPAtomOrString(s)
        case .from(let s): return writeString("FROM ") + writeIMAPAtomOrString(s)
        case .subject(let s): return writeString("SUBJECT ") + writeIMAPAtomOrString(s)
        case .text(let s): return writeString("TEXT ") + writeIMAPAtomOrString(s)
        case .to(let s): return writeString("TO ") + writeIMAPAtomOrString(s)
        case .header(let name, let value):
            return writeString("HEADER ") + writeIMAPAtomOrString(name) + writeString(" ")
                + writeIMAPAtomOrString(value)
        case .keyword(let f): return writeString("KEYWORD ") + writeFlag(f)
        case .unkeyword(let f): return writeString("UNKEYWORD ") + writeFlag(f)
        case .before(let d): return writeString("BEFORE ") + writeIMAPDate(d)
        case .on(let d): return writeString("ON ") + writeIMAPDate(d)
        case .since(let d): return writeString("SINCE ") + writeIMAPDate(d)
        case .sentBefore(let d): return writeString("SENTBEFORE ") + writeIMAPDate(d)
        case .sentOn(let d): return writeString("SENTON ") + writeIMAPDate(d)
        case .sentSince(let d): return writeString("SENTSINCE ") + writeIMAPDate(d)
        case .larger(let n): return writeString("LARGER \(n)")
        case .smaller(let n): return writeString("SMALLER \(n)")
        case .uid(let set): return writeString("UID ") + writeSequenceSet(set)
        case .sequenceSet(let set): return writeSequenceSet(set)
        case .not(let k): return writeString("NOT ") + writeSearchKey(k)
        case .or(let a, let b): return writeString("OR ") + writeSearchKey(a) + writeString(" ") + writeSearchKey(b)
        case .and(let keys):
            var n = writeString("(")
            for (i, k) in keys.enumerated() {
                if i > 0 { n += writeString(" ") }
                n += writeSearchKey(k)
            }
            return n + writeString(")")
        case .modSeq(let v): return writeString("MODSEQ \(v)")
        case .savedBefore(let d): return writeString("SAVEDBEFORE ") + writeIMAPDate(d)
        case .savedOn(let d): return writeString("SAVEDON ") + writeIMAPDate(d)
        case .savedSince(let d): return writeString("SAVEDSINCE ") + writeIMAPDate(d)
        case .saveDateSupported: return writeString("SAVEDATESUPPORTED")
        case .emailID(let id): return writeString("EMAILID \(id)")
        case .threadID(let id): return writeString("THREADID \(id)")
        case .older(let seconds): return writeString("OLDER \(seconds)")
        case .younger(let seconds): return writeString("YOUNGER \(seconds)")
        }
    }
}
