import NIOCore

/// flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
public enum Flag: Sendable, Hashable {
    case seen, answered, flagged, deleted, draft
    /// `\Recent` (IMAP4rev1): parsed so the session can refuse it; never stored by clients.
    case recent
    /// flag-keyword = atom (no backslash)
    case keyword(String)
    /// flag-extension = "\" atom, for any other system flag; the name is kept without the backslash.
    case `extension`(String)

    /// Builds a flag from its wire form (`\Seen`, `$Junk`), system flags case-insensitively.
    public init(_ text: String) {
        if text.hasPrefix("\\") {
            let name = String(text.dropFirst())
            switch name.uppercased() {
            case "SEEN": self = .seen
            case "ANSWERED": self = .answered
            case "FLAGGED": self = .flagged
            case "DELETED": self = .deleted
            case "DRAFT": self = .draft
            case "RECENT": self = .recent
            default: self = .extension(name)
            }
        } else {
            self = .keyword(text)
        }
    }

    /// The wire form.
    public var wireValue: String {
        switch self {
        case .seen: return "\\Seen"
        case .answered: return "\\Answered"
        case .flagged: return "\\Flagged"
        case .deleted: return "\\Deleted"
        case .draft: return "\\Draft"
        case .recent: return "\\Recent"
        case .keyword(let k): return k
        case .extension(let e): return "\\" + e
        }
    }
}

// MARK: - Encoding

extension ByteBuffer {
    @discardableResult
    public mutating func writeFlag(_ flag: Flag) -> Int {
        writeString(flag.wireValue)
    }

    /// flag-list = "(" [flag *(SP flag)] ")"
    @discardableResult
    public mutating func writeFlagList(_ flags: [Flag]) -> Int {
        var n = writeString("(")
        for (i, f) in flags.enumerated() {
            if i > 0 { n += writeString(" ") }
            n += writeFlag(f)
        }
        return n + writeString(")")
    }
}
