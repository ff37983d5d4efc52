import NIOCore

/// One ID field: id-params-list = "(" *(string SP nstring) ")"   (RFC 2971)
public struct IDParameter: Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}

/// command-any / command-auth / command-nonauth / command-select (RFC 9051 §9 with RFC 3501 additions).
/// APPEND is not a case: the `CommandFramer` streams it as `.appendStart` ... `.appendEnd` events.
public enum Command: Sendable, Hashable {
    case capability, noop, logout, starttls
    /// authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp]; initial-resp = base64 / "=" (empty: "")
    case authenticate(mechanism: String, initialResponse: String?)
    case login(username: String, password: String)
    case enable([String])
    case select(MailboxName, parameters: [SelectParameter])
    case examine(MailboxName, parameters: [SelectParameter])
    case create(MailboxName, parameters: [CreateParameter])
    case delete(MailboxName)
    case rename(from: MailboxName, to: MailboxName)
    case subscribe(MailboxName)
    case unsubscribe(MailboxName)
    case list(ListCommand)
    case lsub(reference: MailboxName, pattern: ByteString)
    case namespace
    case status(MailboxName, [StatusAttribute])
    case check, close, unselect, expunge
    /// unauthenticate = "UNAUTHENTICATE"   (RFC 8437)
    case unauthenticate
    case uidExpunge(SequenceSet)
    case search(SearchCommand)
    /// sort = ["UID" SP] "SORT" ...   (RFC 5256 §5, RFC 5267 §3)
    case sort(SortCommand)
    /// thread = ["UID" SP] "THREAD" ...   (RFC 5256 §5)
    case thread(ThreadCommand)
    case fetch(SequenceSet, [FetchAttribute], modifiers: [FetchModifier], uid: Bool)
    case store(SequenceSet, StoreAction, unchangedSince: UInt64?, uid: Bool)
    case copy(SequenceSet, MailboxName, uid: Bool)
    case move(SequenceSet, MailboxName, uid: Bool)
    case idle
    /// `ID NIL` is `.id(nil)`.
    case id([IDParameter]?)
    /// getquota = "GETQUOTA" SP quota-root-name   (RFC 9208 §4.1.1)
    case getQuota(root: String)
    /// getquotaroot = "GETQUOTAROOT" SP mailbox   (RFC 9208 §4.1.2)
    case getQuotaRoot(MailboxName)
    /// setquota = "SETQUOTA" SP quota-root-name SP setquota-list   (RFC 9208 §4.1.3)
    case setQuota(root: String, limits: [QuotaResourceLimit])
    /// compress = "COMPRESS" SP algorithm; algorithm = "DEFLATE"   (RFC 4978 §3). Any atom parses: the
    /// session answers an unknown algorithm with BAD.
    case compress(algorithm: String)
    /// getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries   (RFC 5464 §4.2)
    case getMetadata(MailboxName, options: MetadataOptions, entries: [String])
    /// setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"   (RFC 5464 §4.3)
    case setMetadata(MailboxName, [MetadataEntryValue])
}

/// command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
public struct TaggedCommand: Sendable, Hashable {
    public var tag: String
    public var command: Command

    public init(tag: String, command: Command) {
        self.tag = tag
        self.command = command
    }
}
