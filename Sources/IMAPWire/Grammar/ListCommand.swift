import NIOCore

/// list-select-opt (RFC 5258, RFC 6154, RFC 9051)
public enum ListSelectOption: String, Sendable, Hashable, CaseIterable {
    case subscribed = "SUBSCRIBED"
    case remote = "REMOTE"
    case recursiveMatch = "RECURSIVEMATCH"
    case specialUse = "SPECIAL-USE"
}

/// return-option (RFC 5258, RFC 5819 STATUS, RFC 6154)
public enum ListReturnOption: Sendable, Hashable {
    case subscribed
    case children
    case specialUse
    case status([StatusAttribute])
}

/// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
public struct ListCommand: Sendable, Hashable {
    public var selectionOptions: [ListSelectOption]
    public var reference: MailboxName
    /// list-mailbox patterns, raw bytes (`%` and `*` are wildcards).
    public var patterns: [ByteString]
    public var returnOptions: [ListReturnOption]

    public init(
        selectionOptions: [ListSelectOption] = [], reference: MailboxName, patterns: [ByteString],
        returnOptions: [ListReturnOption] = []
    ) {
        self.selectionOptions = selectionOptions
        self.reference = reference
        self.patterns = patterns
        self.returnOptions = returnOptions
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// list-mailbox = 1*list-char / string
    @discardableResult
    public mutating func writeListMailbox(_ pattern: ByteString) -> Int {
        if !pattern.bytes.isEmpty, pattern.bytes.allSatisfy(IMAPChar.isListChar) {
            return writeBytes(pattern.bytes)
        }
        return writeIMAPString(pattern.bytes)
    }

    /// Writes `LIST ...`.
    @discardableResult
    public mutating func writeListCommand(_ list: ListCommand) -> Int {
        var n = writeString("LIST ")
        if !list.selectionOptions.isEmpty {
            n += writeString("(" + list.selectionOptions.map(\.rawValue).joined(separator: " ") + ") ")
        }
        n += writeMailboxName(list.reference) + writeString(" ")
        if list.patterns.count == 1 {
            n += writeListMailbox(list.patterns[0])
        } else {
            n += writeString("(")
            for (i, p) in list.patterns.enumerated() {
                if i > 0 { n += writeString(" ") }
                n += writeListMailbox(p)
            }
            n += writeString(")")
        }
        if !list.returnOptions.isEmpty {
            n += writeString(" RETURN (")
            for (i, o) in list.returnOptions.enumerated() {
                if i > 0 { n += writeString(" ") }
                switch o {
                case .subscribed: n += writeString("SUBSCRIBED")
                case .children: n += writeString("CHILDREN")
                case .specialUse: n += writeString("SPECIAL-USE")
                case .status(let atts): n += writeString("STATUS ") + writeStatusAttributes(atts)
                }
            }
            n += writeString(")")
        }
        return n
    }
}
