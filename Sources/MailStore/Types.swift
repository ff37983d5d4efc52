import Foundation

/// A message's unique identifier within one mailbox and one UIDVALIDITY (RFC 9051 §2.3.1.1).
public typealias UID = UInt32
/// The UIDVALIDITY of a mailbox (RFC 9051 §2.3.1.1): changes only when UIDs could have been reused.
public typealias UIDValidity = UInt32
/// A modification sequence (RFC 7162 §3): every change to a mailbox raises its HIGHESTMODSEQ.
public typealias ModSeq = UInt64

public typealias AccountID = Int64
public typealias MailboxID = Int64

/// The five system flags that a store keeps as bits (\Recent is session state, not stored here).
public struct SystemFlags: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let seen = SystemFlags(rawValue: 1 << 0)
    public static let answered = SystemFlags(rawValue: 1 << 1)
    public static let flagged = SystemFlags(rawValue: 1 << 2)
    public static let deleted = SystemFlags(rawValue: 1 << 3)
    public static let draft = SystemFlags(rawValue: 1 << 4)
}

/// Flags of one message: system flags plus keywords (RFC 9051 §2.3.2).
/// Keywords are kept as given; duplicates that differ only in case are merged on the way in.
public struct MessageFlags: Hashable, Sendable {
    public var system: SystemFlags
    public var keywords: Set<String>

    public init(system: SystemFlags = [], keywords: Set<String> = []) {
        self.system = system
        self.keywords = keywords
    }

    public var isEmpty: Bool { system.isEmpty && keywords.isEmpty }
}

/// How STORE changes flags (RFC 9051 §6.4.6).
public enum FlagOperation: Sendable, Equatable {
    case replace
    case add
    case remove
}

/// SPECIAL-USE attributes (RFC 6154 §2).
public enum SpecialUse: String, Sendable, CaseIterable, Codable {
    case all = "\\All"
    case archive = "\\Archive"
    case drafts = "\\Drafts"
    case flagged = "\\Flagged"
    case junk = "\\Junk"
    case sent = "\\Sent"
    case trash = "\\Trash"
}

/// A mailbox as the store knows it. Names are Unicode (UTF-8), with "/" as the hierarchy separator;
/// INBOX is always spelled "INBOX".
public struct MailboxInfo: Sendable, Equatable {
    public var id: MailboxID
    public var name: String
    public var uidValidity: UIDValidity
    public var uidNext: UID
    public var highestModSeq: ModSeq
    public var specialUse: SpecialUse?
    /// A \Noselect placeholder: a mailbox deleted while it still had children (RFC 3501 §6.3.4).
    public var isNoSelect: Bool

    public init(
        id: MailboxID, name: String, uidValidity: UIDValidity, uidNext: UID, highestModSeq: ModSeq,
        specialUse: SpecialUse?, isNoSelect: Bool
    ) {
        self.id = id
        self.name = name
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.specialUse = specialUse
        self.isNoSelect = isNoSelect
    }
}

/// The counts STATUS reports (RFC 9051 §6.3.11).
public struct MailboxStatus: Sendable, Equatable {
    public var messages: Int
    public var unseen: Int
    /// Messages at or above the mailbox's first-recent UID (RFC 3501 \Recent).
    public var recent: Int
    public var uidNext: UID
    public var uidValidity: UIDValidity
    public var highestModSeq: ModSeq
    /// Sum of RFC822.SIZE of all messages (RFC 8438).
    public var size: Int64

    public init(
        messages: Int, unseen: Int, recent: Int, uidNext: UID, uidValidity: UIDValidity,
        highestModSeq: ModSeq, size: Int64
    ) {
        self.messages = messages
        self.unseen = unseen
        self.recent = recent
        self.uidNext = uidNext
        self.uidValidity = uidValidity
        self.highestModSeq = highestModSeq
        self.size = size
    }
}

/// What a session needs to open a mailbox: its UIDs in ascending order (sequence number = index + 1).
public struct MailboxSnapshot: Sendable, Equatable {
    public var info: MailboxInfo
    public var uids: [UID]
    /// UIDs that are \Recent for this session (RFC 3501 §2.3.2). Empty for a read-only open.
    public var recentUIDs: [UID]
    /// The keywords set on at least one message (for the FLAGS response, RFC 9051 §7.3.5).
    public var keywords: Set<String>
    /// The lowest UID without \Seen (for `OK [UNSEEN n]`, RFC 3501 §6.3.1), nil when all are seen.
    public var firstUnseenUID: UID?

    public init(
        info: MailboxInfo, uids: [UID], recentUIDs: [UID], keywords: Set<String> = [], firstUnseenUID: UID? = nil
    ) {
        self.info = info
        self.uids = uids
        self.recentUIDs = recentUIDs
        self.keywords = keywords
        self.firstUnseenUID = firstUnseenUID
    }
}

/// Per-message metadata, everything FETCH needs but the content.
public struct MessageMeta: Sendable, Equatable {
    public var uid: UID
    public var modSeq: ModSeq
    public var flags: MessageFlags
    public var internalDate: Date
    /// The time zone the internal date was given in (APPEND's date-time), minutes east of UTC: FETCH
    /// INTERNALDATE shows it in that zone.
    public var internalDateZone: Int
    /// RFC822.SIZE: the exact number of octets of the stored message.
    public var size: Int
    /// When the message was placed in this mailbox (RFC 8514 SAVEDATE): APPEND, COPY or MOVE time.
    public var saveDate: Date
    /// RFC 8474 EMAILID: the same for every copy of the same content, stable for the message's life;
    /// 1 to 255 characters of letters, digits, "-" and "_".
    public var emailID: String

    public init(
        uid: UID, modSeq: ModSeq, flags: MessageFlags, internalDate: Date, size: Int, saveDate: Date? = nil,
        emailID: String = "", internalDateZone: Int = 0
    ) {
        self.uid = uid
        self.modSeq = modSeq
        self.flags = flags
        self.internalDate = internalDate
        self.internalDateZone = internalDateZone
        self.size = size
        self.saveDate = saveDate ?? internalDate
        self.emailID = emailID
    }
}

/// What changed in a mailbox after a given MODSEQ (the basis of untagged updates and, later, QRESYNC).
public struct MailboxChanges: Sendable, Equatable {
    public var highestModSeq: ModSeq
    public var uidNext: UID
    /// Messages whose MODSEQ is above the asked one (new or with changed flags), ascending by UID.
    public var changed: [MessageMeta]
    /// UIDs expunged with a MODSEQ above the asked one, ascending.
    public var expunged: [UID]

    public init(highestModSeq: ModSeq, uidNext: UID, changed: [MessageMeta], expunged: [UID]) {
        self.highestModSeq = highestModSeq
        self.uidNext = uidNext
        self.changed = changed
        self.expunged = expunged
    }
}

/// The result of APPEND (RFC 4315 APPENDUID needs both numbers).
public struct AppendResult: Sendable, Equatable {
    public var uidValidity: UIDValidity
    public var uid: UID
    public init(uidValidity: UIDValidity, uid: UID) {
        self.uidValidity = uidValidity
        self.uid = uid
    }
}

/// The result of COPY (RFC 4315 COPYUID): source UIDs paired with the new destination UIDs.
public struct CopyResult: Sendable, Equatable {
    public var uidValidity: UIDValidity
    public var pairs: [(source: UID, destination: UID)]

    public init(uidValidity: UIDValidity, pairs: [(source: UID, destination: UID)]) {
        self.uidValidity = uidValidity
        self.pairs = pairs
    }

    public static func == (a: CopyResult, b: CopyResult) -> Bool {
        a.uidValidity == b.uidValidity && a.pairs.elementsEqual(b.pairs, by: { $0 == $1 })
    }
}

/// The result of STORE on one message.
public struct FlagUpdate: Sendable, Equatable {
    public var uid: UID
    public var modSeq: ModSeq
    public var flags: MessageFlags
    /// The message's MODSEQ just before this STORE (equal to `modSeq` when nothing changed): a session
    /// that already knew that state knows the result of a .SILENT store without being told.
    public var previousModSeq: ModSeq

    public init(uid: UID, modSeq: ModSeq, flags: MessageFlags, previousModSeq: ModSeq? = nil) {
        self.uid = uid
        self.modSeq = modSeq
        self.flags = flags
        self.previousModSeq = previousModSeq ?? modSeq
    }
}

public struct AccountSummary: Sendable, Equatable {
    public var id: AccountID
    public var name: String
    public var created: Date
    public init(id: AccountID, name: String, created: Date) {
        self.id = id
        self.name = name
        self.created = created
    }
}

/// Errors a store reports. User errors map to NO with a response code; `unavailable` to NO [UNAVAILABLE];
/// `internal` to NO [SERVERBUG].
public enum MailStoreError: Error, Equatable, Sendable {
    case accountNotFound
    case accountExists
    case invalidAccountName(String)
    case mailboxNotFound
    case mailboxExists
    case invalidMailboxName(String)
    case cannotDeleteInbox
    case noSelect
    case messageTooLarge
    /// The write would take the account past its quota (RFC 9208 §4.3 OVERQUOTA).
    case overQuota
    case appPasswordExists
    case appPasswordNotFound
    case invalidAppPasswordLabel(String)
    /// The account has as many app passwords as `AppPassword.Limits.maxPerAccount`.
    case tooManyAppPasswords
    /// The store's database cannot be reached for now (connection refused or lost, server restarting):
    /// the command may succeed later (RFC 5530 UNAVAILABLE).
    case unavailable
    case `internal`(String)
}

extension MessageFlags {
    /// Flags named as IMAP names them (`\Seen`, `$Junk`): the five system flags case-insensitively and
    /// keywords; \Recent (session state) and other backslash names are left out.
    public init(names: [String]) {
        self.init()
        for name in names {
            switch name.lowercased() {
            case "\\seen": system.insert(.seen)
            case "\\answered": system.insert(.answered)
            case "\\flagged": system.insert(.flagged)
            case "\\deleted": system.insert(.deleted)
            case "\\draft": system.insert(.draft)
            default: if !name.hasPrefix("\\") { keywords.insert(name) }
            }
        }
    }
}
