/// Server and mailbox annotations (RFC 5464 METADATA): named values an account keeps on the server as
/// a whole and on each of its mailboxes. Entries belong to their mailbox, not to its name: they follow
/// a RENAME and go with a DELETE (also when the deleted mailbox stays as a \Noselect placeholder).
/// Entries go with their account.
public protocol MetadataStore: Sendable {
    /// Every entry of `target`, ascending by name (byte order). `.mailboxNotFound` when the mailbox is
    /// not the account's, `.noSelect` for a \Noselect placeholder, `.accountNotFound` for an unknown account.
    func metadata(account: AccountID, target: MetadataTarget) async throws -> [MetadataEntry]
    /// Sets the entries of `changes` that carry a value and removes those that carry nil, all or none
    /// (RFC 5464 §4.3), within `MetadataLimits` (checked with `MetadataLimits.check`): a value too large
    /// is `MetadataError.valueTooLarge`, too many entries is `MetadataError.tooMany`, and nothing changes.
    /// Names must be valid (`MetadataEntryName.normalized`); removing an absent entry is no error.
    func setMetadata(account: AccountID, target: MetadataTarget, changes: [MetadataChange]) async throws
}

/// What an entry annotates: the server (mailbox name "" on the wire) or one mailbox.
public enum MetadataTarget: Sendable, Hashable {
    case server
    case mailbox(MailboxID)
}

/// One stored entry: its normalized name (`MetadataEntryName.normalized`) and its value.
public struct MetadataEntry: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// One entry of a SETMETADATA: a value to set, or nil to remove the entry.
public struct MetadataChange: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// Refusals of `MetadataStore.setMetadata` (RFC 5464 §4.3 response codes).
public enum MetadataError: Error, Sendable, Hashable {
    /// A value is longer than `max` bytes: METADATA MAXSIZE max.
    case valueTooLarge(max: Int)
    /// The target or the account would hold more entries than allowed: METADATA TOOMANY.
    case tooMany
    /// An entry name is not valid (the session answers BAD before it asks the store).
    case invalidName(String)
}

/// Every limit of metadata storage, in one place (stress-tested in the conformance suite and end to end).
public enum MetadataLimits {
    /// Longest entry name, in bytes.
    public static let maxNameLength = 256
    /// Largest value, in bytes. Smaller than the wire layer's largest short literal, so that a value
    /// over it still arrives and is refused with METADATA MAXSIZE rather than as a malformed command.
    public static let maxValueSize = 4 * 1024
    /// Most entries on one target (the server, or one mailbox).
    public static let maxEntriesPerTarget = 100
    /// Most entries of one account, over the server and all its mailboxes.
    public static let maxEntriesPerAccount = 1_000

    /// The check every engine makes inside the transaction that applies `changes`: `existing` are the
    /// names the target holds now, `accountCount` the account's entries over all targets. Returns the
    /// change of the account's count. Throws `MetadataError` (names first, then sizes, then counts).
    public static func check(
        _ changes: [MetadataChange], existing: Set<String>, accountCount: Int
    ) throws -> Int {
        var names = existing
        for change in changes {
            guard (try? MetadataEntryName.normalized(change.name)) == change.name,
                MetadataEntryName.isSettable(change.name)
            else { throw MetadataError.invalidName("not a settable entry name: \(change.name)") }
            if let value = change.value, value.count > maxValueSize {
                throw MetadataError.valueTooLarge(max: maxValueSize)
            }
        }
        for change in changes {
            if change.value == nil { names.remove(change.name) } else { names.insert(change.name) }
        }
        let delta = names.count - existing.count
        if delta > 0, names.count > maxEntriesPerTarget || accountCount + delta > maxEntriesPerAccount {
            throw MetadataError.tooMany
        }
        return delta
    }
}

/// Entry names (RFC 5464 §3.2): slash-separated paths under "/private" or "/shared", compared
/// case-insensitively (kept lower-cased), without "*" or "%" (the LIST wildcards).
public enum MetadataEntryName {
    /// The two roots: per-user entries and entries every user with access shares.
    public static let roots = ["/private", "/shared"]

    /// ABNF (RFC 5464 §5): entry = astring ; slash-separated path, no "*" or "%".
    /// Here also: printable US-ASCII only, starting with "/private" or "/shared", no empty component
    /// ("//" or a trailing "/"), at most `MetadataLimits.maxNameLength` bytes. Returns it lower-cased.
    public static func normalized(_ name: String) throws -> String {
        let bytes = Array(name.utf8)
        guard bytes.count <= MetadataLimits.maxNameLength else {
            throw MetadataError.invalidName("an entry name is at most \(MetadataLimits.maxNameLength) bytes")
        }
        for byte in bytes where byte < 0x21 || byte > 0x7E || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "%") {
            throw MetadataError.invalidName("an entry name is printable ASCII without \"*\" or \"%\"")
        }
        let lower = name.lowercased()
        guard roots.contains(where: { lower == $0 || lower.hasPrefix($0 + "/") }) else {
            throw MetadataError.invalidName("an entry name starts with /private or /shared")
        }
        guard !lower.hasSuffix("/"), !lower.contains("//") else {
            throw MetadataError.invalidName("an entry name has no empty component")
        }
        return lower
    }

    /// A root itself holds no value: only names below it can be set.
    public static func isSettable(_ normalized: String) -> Bool { !roots.contains(normalized) }

    /// Whether `name` is `entry` or below it, at most `depth` levels down (nil: any depth).
    public static func matches(_ name: String, entry: String, depth: Int?) -> Bool {
        if name == entry { return true }
        guard name.hasPrefix(entry + "/") else { return false }
        guard let depth else { return true }
        let levels = name.utf8.dropFirst(entry.utf8.count).filter { $0 == UInt8(ascii: "/") }.count
        return levels <= depth
    }
}
