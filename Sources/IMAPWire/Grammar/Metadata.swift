import NIOCore

/// scope-opt = "DEPTH" SP ("0" / "1" / "infinity")   (RFC 5464 §4.2.2)
public enum MetadataDepth: Sendable, Hashable {
    case zero, one, infinity
}

/// getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"   (RFC 5464 §4.2)
public struct MetadataOptions: Sendable, Hashable {
    /// maxsize-opt = "MAXSIZE" SP number: entries with longer values are left out (§4.2.1).
    public var maxSize: UInt32?
    public var depth: MetadataDepth

    public init(maxSize: UInt32? = nil, depth: MetadataDepth = .zero) {
        self.maxSize = maxSize
        self.depth = depth
    }
}

/// entry-value = entry SP value; entry = astring; value = nstring / literal8   (RFC 5464 §5).
/// A nil value is NIL: in SETMETADATA it removes the entry.
public struct MetadataEntryValue: Sendable, Hashable {
    public var entry: String
    public var value: [UInt8]?

    public init(entry: String, value: [UInt8]?) {
        self.entry = entry
        self.value = value
    }
}

/// metadata-resp = "METADATA" SP mailbox SP entry-values; entry-values = "(" entry-value *(SP entry-value) ")"
/// (RFC 5464 §4.4.1: the form answering GETMETADATA).
public struct MetadataResponse: Sendable, Hashable {
    public var mailbox: MailboxName
    public var entries: [MetadataEntryValue]

    public init(mailbox: MailboxName, entries: [MetadataEntryValue]) {
        self.mailbox = mailbox
        self.entries = entries
    }
}

/// resp-text-code =/ "METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number / "TOOMANY" / "NOPRIVATE")
/// (RFC 5464 §4.2.1, §4.3)
public enum MetadataResponseCode: Sendable, Hashable {
    /// GETMETADATA with MAXSIZE left out entries; the number is the size of the largest one left out.
    case longEntries(UInt32)
    /// SETMETADATA refused a value longer than the number, the largest the server accepts.
    case maxSize(UInt32)
    /// SETMETADATA would exceed the number of entries the server accepts.
    case tooMany
    /// The server keeps no /private entries.
    case noPrivate
}

// MARK: - Encoding

extension ByteBuffer {
    /// The code after "METADATA ".
    @discardableResult
    mutating func writeMetadataCode(_ code: MetadataResponseCode) -> Int {
        switch code {
        case .longEntries(let size): writeString("METADATA LONGENTRIES \(size)")
        case .maxSize(let size): writeString("METADATA MAXSIZE \(size)")
        case .tooMany: writeString("METADATA TOOMANY")
        case .noPrivate: writeString("METADATA NOPRIVATE")
        }
    }

    /// value = nstring / literal8: a quoted string or literal, or literal8 `~{n}` for a value with NUL.
    @discardableResult
    public mutating func writeMetadataValue(_ value: [UInt8]?) -> Int {
        guard let value, value.contains(0) else { return writeIMAPNString(value) }
        return writeString("~{\(value.count)}\r\n") + writeBytes(value)
    }

    /// entry-values = "(" entry-value *(SP entry-value) ")"
    @discardableResult
    public mutating func writeMetadataEntryValues(_ entries: [MetadataEntryValue]) -> Int {
        var n = writeString("(")
        for (index, entry) in entries.enumerated() {
            if index > 0 { n += writeString(" ") }
            n += writeIMAPAtomOrString(entry.entry) + writeString(" ") + writeMetadataValue(entry.value)
        }
        return n + writeString(")")
    }
}
