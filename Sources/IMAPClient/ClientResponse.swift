import Foundation

/// The status of a tagged or untagged condition response (RFC 9051 §7.1).
public enum ResponseCondition: String, Sendable, Equatable {
    case ok = "OK"
    case no = "NO"
    case bad = "BAD"
    case bye = "BYE"
    case preauth = "PREAUTH"
}

/// The response codes a migrating client acts on (RFC 9051 §7.1, RFC 7162 §3.1); others keep their name.
public enum ClientResponseCode: Sendable, Equatable {
    case capability([String])
    case uidValidity(UInt32)
    case uidNext(UInt32)
    case highestModSeq(UInt64)
    case noModSeq
    case other(String)
}

/// A mailbox of a LIST or LSUB response (RFC 9051 §7.3.1).
public struct ListEntry: Sendable, Equatable {
    /// Attributes as sent, e.g. `\HasChildren`, `\Sent`.
    public var attributes: [String]
    public var delimiter: UInt8?
    /// The name's bytes as sent (modified UTF-7 unless UTF8=ACCEPT is enabled).
    public var name: [UInt8]

    public init(attributes: [String], delimiter: UInt8?, name: [UInt8]) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
    }

    public func hasAttribute(_ name: String) -> Bool {
        attributes.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// The items of a FETCH response a migrating client asks for (RFC 9051 §7.5.2, RFC 7162 §3.1.4).
public struct FetchData {
    public var uid: UInt32?
    public var flags: [String]?
    public var internalDate: Date?
    /// The zone of INTERNALDATE, in minutes east of UTC.
    public var internalDateZone: Int?
    public var size: Int?
    public var modSeq: UInt64?
    /// `BODY[]`: nil when absent or NIL.
    public var body: ResponseLiteral?

    public init() {}
}

/// An untagged response (RFC 9051 §7); kinds a migrating client does not use are `.other`.
public enum UntaggedResponse {
    case condition(ResponseCondition, code: ClientResponseCode?, text: String)
    case capability([String])
    case exists(UInt32)
    case expunge(UInt32)
    case list(ListEntry)
    case lsub(ListEntry)
    case status(mailbox: [UInt8], items: [String: UInt64])
    case search([UInt32])
    /// The first personal namespace (RFC 2342 §5): its prefix and hierarchy delimiter; nil when the
    /// server has no personal namespace.
    case namespace(personalPrefix: [UInt8]?, delimiter: UInt8?)
    case fetch(sequence: UInt32, FetchData)
    case other(String)
}

/// A server response (RFC 9051 §7).
public enum ClientResponse {
    case continuation(String)
    case tagged(tag: String, ResponseCondition, code: ClientResponseCode?, text: String)
    case untagged(UntaggedResponse)
}
