import NIOCore

/// fetch-att (RFC 9051 §9, RFC 3501 §9, RFC 7162 MODSEQ, RFC 3516 BINARY)
public enum FetchAttribute: Sendable, Hashable {
    case envelope, flags, internalDate
    case rfc822, rfc822Header, rfc822Size, rfc822Text
    /// `BODY`: structure without extension data.
    case body
    case bodyStructure
    case uid
    case modSeq
    /// "SAVEDATE" (RFC 8514 §4.2)
    case saveDate
    /// "EMAILID" / "THREADID" (RFC 8474 §5.1, §5.2)
    case emailID, threadID
    /// "PREVIEW" [SP "(" "LAZY" ")"] (RFC 8970 §7)
    case preview(lazy: Bool)
    case bodySection(peek: Bool, section: SectionSpec, partial: PartialRange?)
    case binary(peek: Bool, part: [Int], partial: PartialRange?)
    case binarySize(part: [Int])

    /// "ALL" = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)
    public static let allMacro: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    /// "FAST" = (FLAGS INTERNALDATE RFC822.SIZE)
    public static let fastMacro: [FetchAttribute] = [.flags, .internalDate, .rfc822Size]
    /// "FULL" = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)
    public static let fullMacro: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]
}

/// fetch-modifier (RFC 7162): CHANGEDSINCE mod-sequence-value / VANISHED
public enum FetchModifier: Sendable, Hashable {
    case changedSince(UInt64)
    case vanished
    /// fetch-modifier =/ "PARTIAL" SP partial-range   (RFC 9394 §4): only this range of the messages the
    /// set names, counted in UID order (negative: from the end).
    case partial(SearchPartialRange)
}

// MARK: - Encoding

extension ByteBuffer {
    @discardableResult
    public mutating func writeFetchAttribute(_ att: FetchAttribute) -> Int {
        switch att {
        case .envelope: return writeString("ENVELOPE")
        case .flags: return writeString("FLAGS")
        case .internalDate: return writeString("INTERNALDATE")
        case .rfc822: return writeString("RFC822")
        case .rfc822Header: return writeString("RFC822.HEADER")
        case .rfc822Size: return writeString("RFC822.SIZE")
        case .rfc822Text: return writeString("RFC822.TEXT")
        case .body: return writeString("BODY")
        case .bodyStructure: return writeString("BODYSTRUCTURE")
        case .uid: return writeString("UID")
        case .modSeq: return writeString("MODSEQ")
        case .saveDate: return writeString("SAVEDATE")
        case .emailID: return writeString("EMAILID")
        case .threadID: return writeString("THREADID")
        case .preview(let lazy): return writeString(lazy ? "PREVIEW (LAZY)" : "PREVIEW")
        case .bodySection(let peek, let section, let partial):
            return writeString(peek ? "BODY.PEEK" : "BODY") + writeSection(section) + writePartialRange(partial)
        case .binary(let peek, let part, let partial):
            return writeString(peek ? "BINARY.PEEK[" : "BINARY[")
                + writeString(part.map(String.init).joined(separator: "."))
                + writeString("]") + writePartialRange(partial)
        case .binarySize(let part):
            return writeString("BINARY.SIZE[" + part.map(String.init).joined(separator: ".") + "]")
        }
    }

    @discardableResult
    public mutating func writeFetchModifiers(_ modifiers: [FetchModifier]) -> Int {
        guard !modifiers.isEmpty else { return 0 }
        let parts = modifiers.map { m -> String in
            switch m {
            case .changedSince(let v): return "CHANGEDSINCE \(v)"
            case .vanished: return "VANISHED"
            case .partial(let r): return "PARTIAL \(r.first):\(r.last)"
            }
        }
        return writeString(" (" + parts.joined(separator: " ") + ")")
    }
}
