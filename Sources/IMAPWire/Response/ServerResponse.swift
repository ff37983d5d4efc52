import NIOCore

/// One response the server sends (RFC 9051 §7 and §9: `response = *(continue-req / response-data)
/// response-done`). Every byte a session sends is one of these, written by `ResponseEncoder`.
public enum ServerResponse: Sendable, Hashable {
    /// `"*" SP ...`: response-data, greeting, resp-cond-bye.
    case untagged(UntaggedResponse)
    /// response-tagged = tag SP resp-cond-state CRLF
    case tagged(TaggedResponse)
    /// continue-req = "+" SP (resp-text / base64) CRLF
    case continuation(ContinuationRequest)
}

/// response-tagged = tag SP resp-cond-state CRLF
public struct TaggedResponse: Sendable, Hashable {
    public var tag: String
    /// OK, NO or BAD.
    public var status: ResponseStatus
    public var code: ResponseCode?
    public var text: String

    public init(tag: String, status: ResponseStatus, code: ResponseCode? = nil, text: String) {
        self.tag = tag
        self.status = status
        self.code = code
        self.text = text
    }
}

/// continue-req = "+" SP (resp-text / base64) CRLF
public enum ContinuationRequest: Sendable, Hashable {
    /// resp-text: "+ Ready for literal data"; an empty text is written as "+ " (RFC 9051 §7.5 allows an
    /// empty challenge, which AUTHENTICATE PLAIN uses).
    case text(String)
    /// base64 = *(4base64-char) [base64-terminal]: an AUTHENTICATE challenge, written encoded.
    case base64([UInt8])
}

/// The response-data kinds (RFC 9051 §7.1-§7.5, and the extensions Postern speaks).
public enum UntaggedResponse: Sendable, Hashable {
    /// resp-cond-state / resp-cond-bye / greeting: `* OK [code] text`, `* NO`, `* BAD`, `* BYE`,
    /// `* PREAUTH`.
    case condition(ResponseStatus, code: ResponseCode?, text: String)
    /// capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev2" ... (§7.2.2)
    case capability([String])
    /// enable-data = "ENABLED" *(SP capability) (RFC 5161 §4)
    case enabled([String])
    /// "FLAGS" SP flag-list (§7.3.5)
    case flags([Flag])
    /// mailbox-list (§7.3.1, RFC 5258 extended items) for LIST, and LSUB (RFC 3501 §7.2.3)
    case list(ListResponse)
    /// "STATUS" SP mailbox SP "(" [status-att-list] ")" (§7.3.4)
    case mailboxStatus(MailboxStatusResponse)
    /// number SP "EXISTS" (§7.4.1)
    case exists(UInt32)
    /// number SP "RECENT" (RFC 3501 §7.3.2; IMAP4rev1 only)
    case recent(UInt32)
    /// nz-number SP "EXPUNGE" (§7.5.1)
    case expunge(UInt32)
    /// "VANISHED" [SP "(EARLIER)"] SP known-uids (RFC 7162 §3.2.10)
    case vanished(earlier: Bool, uids: SequenceSet)
    /// nz-number SP "FETCH" SP msg-att (§7.5.2): a whole response. A response with a body too large
    /// to hold goes out in pieces (see `FetchResponsePart`).
    case fetch(FetchResponse)
    /// "SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"] (RFC 3501 §7.2.5, RFC 7162
    /// §3.1.5)
    case search(SearchResponse)
    /// esearch-response (RFC 4731 §3.1, RFC 9051 §7.3.4)
    case esearch(ESearchResponse)
    /// sort-data = "SORT" *(SP nz-number)   (RFC 5256 §5): the numbers in sort order.
    case sort([UInt32])
    /// thread-data = "THREAD" [SP 1*thread-list]   (RFC 5256 §5)
    case thread(ThreadResponse)
    /// id-response = "ID" SP id-params-list (RFC 2971 §3.2); nil is NIL.
    case id([IDParameter]?)
    /// namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace (RFC 2342 §5)
    case namespace(NamespaceResponse)
    /// quota-response = "QUOTA" SP quota-root-name SP quota-list (RFC 9208 §5.1)
    case quota(QuotaResponse)
    /// quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name) (RFC 9208 §5.2)
    case quotaRoot(MailboxName, roots: [String])
    /// metadata-resp = "METADATA" SP mailbox SP entry-values (RFC 5464 §4.4.1)
    case metadata(MetadataResponse)
}

/// mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
///                [SP mbox-list-extended]
public struct ListResponse: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case list = "LIST"
        case lsub = "LSUB"
    }

    public var kind: Kind
    /// Name attributes as written (`\Noselect`, `\HasChildren`, `\Sent`, ...).
    public var attributes: [String]
    /// The hierarchy delimiter, or nil for NIL (a flat name space).
    public var delimiter: UInt8?
    /// The name as it goes on the wire: modified UTF-7, or UTF-8 once the client enabled it.
    public var name: MailboxName
    /// mbox-list-extended items (RFC 5258 §9): `CHILDINFO ("SUBSCRIBED")`, `OLDNAME ("name")`.
    public var extended: [ListExtendedItem]

    public init(
        kind: Kind = .list, attributes: [String], delimiter: UInt8? = UInt8(ascii: "/"), name: MailboxName,
        extended: [ListExtendedItem] = []
    ) {
        self.kind = kind
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
        self.extended = extended
    }
}

/// mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
public enum ListExtendedItem: Sendable, Hashable {
    /// "CHILDINFO" SP "(" list-select-base-opt-quoted *(SP ...) ")" (RFC 5258 §3.5)
    case childInfo([String])
    /// "OLDNAME" SP "(" mailbox ")" (RFC 9051 §6.3.9.7)
    case oldName(MailboxName)
}

/// "STATUS" SP mailbox SP "(" [status-att-list] ")"
public struct MailboxStatusResponse: Sendable, Hashable {
    public var name: MailboxName
    public var items: [MailboxStatusItem]

    public init(name: MailboxName, items: [MailboxStatusItem]) {
        self.name = name
        self.items = items
    }
}

/// status-att-val: a number for every attribute but MAILBOXID, whose value is an objectid (RFC 8474).
public enum MailboxStatusItem: Sendable, Hashable {
    case number(StatusAttribute, UInt64)
    /// "MAILBOXID" SP "(" objectid ")"
    case mailboxID(String)
}

/// "SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]
public struct SearchResponse: Sendable, Hashable {
    public var numbers: [UInt32]
    public var modSeq: UInt64?

    public init(numbers: [UInt32], modSeq: UInt64? = nil) {
        self.numbers = numbers
        self.modSeq = modSeq
    }
}

/// esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
///
/// Return data is written in the order MIN, MAX, COUNT, ALL, MODSEQ; absent items are left out.
public struct ESearchResponse: Sendable, Hashable {
    /// search-correlator = SP "(" "TAG" SP tag-string ")"
    public var tag: String?
    public var uid: Bool
    public var min: UInt32?
    public var max: UInt32?
    public var count: Int?
    public var all: SequenceSet?
    public var modSeq: UInt64?
    /// "PARTIAL" SP "(" partial-range SP partial-results ")"; partial-results = sequence-set / "NIL"
    /// (RFC 9394 §5): the range as asked and what it selected (nil: nothing).
    public var partial: ESearchPartial?

    public init(
        tag: String?, uid: Bool, min: UInt32? = nil, max: UInt32? = nil, count: Int? = nil,
        all: SequenceSet? = nil, modSeq: UInt64? = nil
    ) {
        self.tag = tag
        self.uid = uid
        self.min = min
        self.max = max
        self.count = count
        self.all = all
        self.modSeq = modSeq
    }
}

/// namespace = nil / "(" 1*namespace-descr ")"
public struct NamespaceResponse: Sendable, Hashable {
    /// namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) ")"
    public struct Description: Sendable, Hashable {
        public var prefix: String
        public var delimiter: UInt8?

        public init(prefix: String, delimiter: UInt8?) {
            self.prefix = prefix
            self.delimiter = delimiter
        }
    }

    /// Each nil or empty list is written as NIL.
    public var personal: [Description]
    public var otherUsers: [Description]
    public var shared: [Description]

    public init(personal: [Description], otherUsers: [Description] = [], shared: [Description] = []) {
        self.personal = personal
        self.otherUsers = otherUsers
        self.shared = shared
    }
}
