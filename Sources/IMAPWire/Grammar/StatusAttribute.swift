import NIOCore

/// status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE" / "RECENT" (rev1)
///            / "HIGHESTMODSEQ" (RFC 7162) / "APPENDLIMIT" (RFC 7889) / "MAILBOXID" (RFC 8474)
///            / "DELETED-STORAGE" (RFC 9208 §4.3)
public enum StatusAttribute: String, Sendable, Hashable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case deleted = "DELETED"
    case size = "SIZE"
    case highestModSeq = "HIGHESTMODSEQ"
    case appendLimit = "APPENDLIMIT"
    /// RFC 8474 §4
    case mailboxID = "MAILBOXID"
    /// RFC 9208 §4.3: what EXPUNGE would free, in units of 1024 octets.
    case deletedStorage = "DELETED-STORAGE"
}

// MARK: - Encoding

extension ByteBuffer {
    /// "(" status-att *(SP status-att) ")"
    @discardableResult
    public mutating func writeStatusAttributes(_ atts: [StatusAttribute]) -> Int {
        writeString("(" + atts.map(\.rawValue).joined(separator: " ") + ")")
    }
}
