import Foundation

/// Rules for mailbox names, shared by every engine. Names are Unicode with "/" as the hierarchy
/// separator; INBOX is case-insensitive and always stored and reported as "INBOX".
public enum MailboxPath {
    public static let separator: Character = "/"
    public static let inbox = "INBOX"
    public static let maxUTF8Length = 255
    public static let maxLevels = 16

    /// Throws `.invalidMailboxName` with a human reason when `name` cannot be a mailbox name.
    public static func validate(_ name: String) throws {
        func reject(_ reason: String) -> MailStoreError { .invalidMailboxName(reason) }
        if name.isEmpty { throw reject("empty mailbox name") }
        if name.utf8.count > maxUTF8Length {
            throw reject("mailbox name longer than \(maxUTF8Length) bytes")
        }
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F: throw reject("control character in mailbox name")
            case 0x25, 0x2A: throw reject("wildcard (% or *) in mailbox name")
            default: continue
            }
        }
        if name.first == separator { throw reject("mailbox name starts with /") }
        if name.last == separator { throw reject("mailbox name ends with /") }
        let components = name.split(separator: separator, omittingEmptySubsequences: false)
        if components.count > maxLevels { throw reject("more than \(maxLevels) hierarchy levels") }
        for component in components {
            if component.isEmpty { throw reject("empty hierarchy level (//) in mailbox name") }
            if component == "." || component == ".." { throw reject("\".\" or \"..\" level in mailbox name") }
        }
    }

    /// NFC-normalizes the name and spells a leading INBOX level (any case) as "INBOX".
    public static func normalize(_ name: String) -> String {
        let nfc = name.precomposedStringWithCanonicalMapping
        guard let first = nfc.split(separator: separator, maxSplits: 1, omittingEmptySubsequences: false).first,
            first.utf8.count == inbox.utf8.count, first.uppercased() == inbox
        else { return nfc }
        return inbox + nfc.dropFirst(first.count)
    }

    /// Normalizes then validates: what an engine stores.
    public static func validated(_ name: String) throws -> String {
        let normalized = normalize(name)
        try validate(normalized)
        return normalized
    }

    /// The parent's name ("a/b" for "a/b/c"), or nil at the top level.
    public static func parent(of name: String) -> String? {
        guard let index = name.lastIndex(of: separator) else { return nil }
        return String(name[..<index])
    }

    /// All ancestors, outermost first: ["a", "a/b"] for "a/b/c".
    public static func ancestors(of name: String) -> [String] {
        var result: [String] = []
        var current = name
        while let p = parent(of: current) {
            result.append(p)
            current = p
        }
        return result.reversed()
    }

    /// Whether `name` is `ancestor` or lies below it ("a/b" is inside "a", "ab" is not).
    public static func isInside(_ name: String, ancestor: String) -> Bool {
        name == ancestor || name.hasPrefix(ancestor + String(separator))
    }

    /// Whether the (normalized or not) name designates INBOX itself.
    public static func isInbox(_ name: String) -> Bool {
        name.utf8.count == inbox.utf8.count && name.uppercased() == inbox
    }
}

/// Rules for account names, shared by every engine.
public enum AccountName {
    public static let maxLength = 64

    /// 1–64 characters of [A-Za-z0-9._@+-], not starting with "." or "-"; else `.invalidAccountName`.
    public static func validate(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= maxLength else {
            throw MailStoreError.invalidAccountName("account name must be 1 to \(maxLength) characters")
        }
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                continue
            default:
                throw MailStoreError.invalidAccountName("account name may only use A-Z a-z 0-9 . _ @ + -")
            }
        }
        if name.utf8.first == UInt8(ascii: ".") || name.utf8.first == UInt8(ascii: "-") {
            throw MailStoreError.invalidAccountName("account name must not start with . or -")
        }
    }
}
