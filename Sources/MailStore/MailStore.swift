import Foundation

/// The mail storage protocol every engine implements (MailStoreSQLite, MailStoreMemory; MailStorePostgres
/// later): mailboxes, messages, UIDs, MODSEQs, flags and change events. Accounts and their credentials
/// are a protocol of their own (`AccountStore`); an engine implements both.
///
/// Invariants every engine keeps (and the conformance suite checks):
/// - A call that returns has committed durably: the change survives a power cut.
/// - UIDs are strictly ascending within a mailbox and never reused within one UIDVALIDITY.
/// - Every change to a mailbox (append, flag change, expunge) raises its HIGHESTMODSEQ, and the
///   changed message (or its tombstone, for an expunge) carries the new MODSEQ.
/// - Every call is scoped to one account: no mailbox name or id of another account is reachable.
///   Message calls take the caller's `AccountID` next to the `MailboxID`; a mailbox id that does not
///   belong to that account is reported exactly like a missing one (`.mailboxNotFound`), so ids of
///   other accounts can neither be used nor probed.
/// - Mailbox ids are never reused: a deleted and recreated mailbox gets a new id (and UIDVALIDITY).
/// - Message calls on a \Noselect placeholder throw `.noSelect` (except `highestModSeq`).
/// - Mailbox names are validated with `MailboxPath.validate` and INBOX is case-insensitive.
public protocol MailStore: SieveScriptStore, MetadataStore {
    // MARK: Mailboxes

    func listMailboxes(account: AccountID) async throws -> [MailboxInfo]
    /// The mailbox called `name` (normalized with `MailboxPath.normalize`), or nil — also when the name
    /// is not a valid mailbox name.
    func mailbox(account: AccountID, name: String) async throws -> MailboxInfo?
    /// Creates the mailbox and any missing parents (RFC 9051 §6.3.4). An existing name is `.mailboxExists`,
    /// except a \Noselect placeholder, which becomes selectable again (new UIDVALIDITY, empty).
    func createMailbox(account: AccountID, name: String, specialUse: SpecialUse?) async throws -> MailboxInfo
    /// Deletes a mailbox and its messages. With children it becomes a \Noselect placeholder instead
    /// (RFC 3501 §6.3.4); deleting a \Noselect mailbox that has children is `.noSelect`; INBOX is
    /// `.cannotDeleteInbox`. A \Noselect parent left without children is removed too. Subscriptions stay.
    func deleteMailbox(account: AccountID, name: String) async throws
    /// Renames a mailbox and all its children (RFC 9051 §6.3.6). Renaming INBOX moves its messages to
    /// a new mailbox and leaves INBOX empty (INBOX's children are not renamed). Missing parents of `to`
    /// are created; a renamed mailbox keeps its id, UIDVALIDITY, messages and subscription. An existing
    /// target (or any child's target) is `.mailboxExists`; renaming into its own child is `.invalidMailboxName`.
    func renameMailbox(account: AccountID, from: String, to: String) async throws
    /// Subscribing does not require the mailbox to exist (RFC 9051 §6.3.7); the name must be valid.
    func setSubscribed(account: AccountID, name: String, subscribed: Bool) async throws
    func subscriptions(account: AccountID) async throws -> [String]

    // MARK: Messages
    //
    // Every message call names the account the caller is logged in as: a `mailbox` id of another
    // account is `.mailboxNotFound` (see the isolation invariant above).

    func status(account: AccountID, mailbox: MailboxID) async throws -> MailboxStatus
    /// Opens a mailbox. When `markRecentSeen` (SELECT, not EXAMINE), messages at or above the first-recent
    /// UID are returned as recent and the first-recent UID moves to UIDNEXT.
    func snapshot(account: AccountID, mailbox: MailboxID, markRecentSeen: Bool) async throws -> MailboxSnapshot
    /// `snapshot(account:mailbox:markRecentSeen:)` of `info.id`, where `info` is the mailbox as the
    /// caller just read it (`mailbox(account:name:)`): an engine that can build the view without
    /// reading the mailbox again may take its UIDVALIDITY and name from `info`. Any field that changes
    /// with the mailbox's messages (UIDNEXT, HIGHESTMODSEQ) is the engine's, as current as the view.
    func snapshot(
        account: AccountID, opening info: MailboxInfo, markRecentSeen: Bool
    ) async throws
        -> MailboxSnapshot
    /// Claims, for one read-write session, the messages up to `through` that no session has seen as
    /// recent yet (RFC 3501 §2.3.2 \Recent: exactly one session is told). Returns the claimed UID range,
    /// or nil when another session was first. Not a mailbox change: no MODSEQ, nothing published.
    func claimRecent(account: AccountID, mailbox: MailboxID, through: UID) async throws -> ClosedRange<UID>?
    /// HIGHESTMODSEQ of the mailbox, or nil when it no longer exists. Cheap: called after most commands.
    func highestModSeq(account: AccountID, mailbox: MailboxID) async throws -> ModSeq?
    /// UIDVALIDITY and HIGHESTMODSEQ of a selectable mailbox; nil when it is gone or became a \Noselect
    /// placeholder. A session compares both: a new UIDVALIDITY means its view is void (RFC 9051 §2.3.1.1).
    func syncState(
        account: AccountID, mailbox: MailboxID
    ) async throws -> (uidValidity: UIDValidity, highestModSeq: ModSeq)?
    func changes(account: AccountID, mailbox: MailboxID, since: ModSeq) async throws -> MailboxChanges
    /// Metadata of the messages whose UIDs are in `uids`, ascending by UID; missing UIDs are skipped.
    func messages(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [MessageMeta]
    /// Like `messages(account:mailbox:uids:)`, only those whose system flags include all of `with` and
    /// none of `without` (a SEARCH prefilter: an engine may answer it from an index).
    func messages(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [MessageMeta]
    /// Flags and MODSEQ of every message of the mailbox, with the HIGHESTMODSEQ they are current at
    /// (see `MailboxFlagIndex`). The default reads `messages`; engines do better with a narrow read, and
    /// may keep it in a cache of their own.
    func flagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex
    /// `flagIndex` when the engine can answer it without reading every message (it holds the mailbox's
    /// flags in memory), else nil: a caller that could also ask a narrower question asks that instead.
    func cachedFlagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex?
    /// The whole stored message, or nil when the message is gone.
    func content(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> Data?
    /// The UIDs of `uids` whose system flags include all of `with` and none of `without`, ascending
    /// (a SEARCH made of flag keys only needs nothing else).
    func uids(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [UID]
    /// The stored message opened for reading (in pieces, for a large one), or nil when it is gone.
    func openContent(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> MessageContent?
    /// Opens the messages of `uids` one at a time, in ascending UID order, and hands each to `body`
    /// (messages that are gone are skipped): one store read finds them all, so a search through many
    /// messages does not pay a store round trip per message.
    func forEachContent(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, _ body: (UID, MessageContent) async throws -> Void
    ) async throws
    /// Places a staged message (see `MessageStaging`) in the mailbox. The staged file is consumed
    /// (moved into the store on success, removed on a user error such as `.mailboxNotFound`).
    func append(
        account: AccountID, mailbox: MailboxID, message: StagedMessage, flags: MessageFlags, internalDate: Date
    ) async throws -> AppendResult
    /// Changes flags. With `unchangedSince`, messages whose MODSEQ is higher are left alone and listed
    /// in `modified` (RFC 7162 §3.1.3). Only messages whose flags really change get a new MODSEQ, but
    /// every other existing message of `uids` is returned in `updated` with its current flags (changed
    /// or not). Keywords are compared case-insensitively (see `MessageFlags.applying`).
    func store(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, operation: FlagOperation, flags: MessageFlags,
        unchangedSince: ModSeq?
    ) async throws -> (updated: [FlagUpdate], modified: [UID])
    /// Copies messages (content is shared, not duplicated) and keeps their flags and internal dates.
    /// Both mailboxes must belong to `account`. Pairs are ascending by source UID; missing UIDs are skipped.
    func copy(account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID) async throws -> CopyResult
    /// Removes messages with \Deleted (only those in `uids`, when given). Returns the expunged UIDs, ascending.
    func expunge(account: AccountID, mailbox: MailboxID, uids: UIDSet?) async throws -> [UID]

    /// Moves messages atomically (RFC 6851 §3.3): in one transaction they are added to `to` (keeping
    /// flags and internal dates, sharing content) and expunged from `from` (tombstones with a new MODSEQ).
    /// Returns the pairs like `copy` and the expunged source UIDs, ascending.
    func move(
        account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID
    ) async throws
        -> (copied: CopyResult, expunged: [UID])
    /// Appends several messages atomically (RFC 3502 MULTIAPPEND): all of them or none. Results are in
    /// the order given; every staged file is consumed either way.
    func append(account: AccountID, mailbox: MailboxID, messages: [StagedAppend]) async throws -> [AppendResult]
    /// REPLACE (RFC 8508 §3.4), in one transaction: `message` is appended to `mailbox` as by `append`,
    /// and the message `uid` of `replacing` is expunged (a tombstone with a new MODSEQ of that mailbox;
    /// one MODSEQ for both when they are the same mailbox). A `uid` that is no longer there (expunged
    /// meanwhile) expunges nothing. Returns the new message and the expunged UIDs (empty or `[uid]`).
    /// The staged file is consumed either way.
    func replace(
        account: AccountID, mailbox: MailboxID, message: StagedAppend, replacing: MailboxID, uid: UID
    ) async throws
        -> (appended: AppendResult, expunged: [UID])

    // MARK: Import ledger
    //
    // An importer (`postern import`, a migration from another server) gives each message a source key
    // (`StagedAppend.importKey`, at most `StagedAppend.maxImportKeyLength` bytes) that names where it
    // came from. The key is recorded in the transaction that appends the message, per account, so that
    // whatever interrupts an import (a crash, kill -9, a power cut), running it again appends each
    // message exactly once: a message is either in the store with its key or in neither. Keys go with
    // their account; deleting or expunging a message leaves its key (an import run again does not bring
    // back what the user deleted since).

    /// Like `append(account:mailbox:messages:)` (all or none, one transaction), except that a message
    /// whose key the account has already recorded — before, or earlier in the same batch — is not
    /// appended: its result is nil and its staged file is removed. Quota counts only what is appended;
    /// when nothing is appended the mailbox does not change (no MODSEQ, nothing published).
    /// `append(account:mailbox:messages:)` records the keys it is given too, but appends every message.
    func appendOnce(account: AccountID, mailbox: MailboxID, messages: [StagedAppend]) async throws -> [AppendResult?]
    /// The keys the account has recorded that start with `prefix` (all of them for "").
    func importedKeys(account: AccountID, prefix: String) async throws -> Set<String>

    // MARK: Filing one message into several mailboxes

    /// Places one staged message in several mailboxes of the account at once, all or none (a Sieve
    /// script's `keep` and `fileinto` actions, RFC 5228 §2.10.5: the delivery is one commit). The copies
    /// share one content file (like COPY); each gets the flags of its placement (`message.flags` is not
    /// used), a UID of its mailbox and the mailbox's new MODSEQ; the quota counts every copy. The
    /// mailboxes must be distinct and selectable; an import key is refused (`.internal`). The staged file
    /// is consumed either way. Results are in the order of `placements`.
    func append(
        account: AccountID, message: StagedAppend, placements: [MailboxPlacement]
    ) async throws
        -> [AppendResult]

    /// The stored parse result of messages (see `MessageStructure`), for those that have one.
    func structures(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [UID: MessageStructure]
    /// The stored derived texts of messages (see `DerivedTexts`), for those that have them.
    func derivedTexts(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> DerivedTextsBatch
    /// Stores a message's parse result (made when it was appended, or later by a newer parser version).
    /// It is derived data: no MODSEQ change.
    func setStructure(account: AccountID, mailbox: MailboxID, uid: UID, structure: MessageStructure) async throws
    /// The kept sort keys (`SortKeyData`) of the messages of `uids` that have some.
    func sortKeys(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [UID: SortKeyData]
    /// Keeps (or replaces) sort keys. Derived data: no MODSEQ change and nothing is published. UIDs that
    /// are not (or no longer) in the mailbox are ignored.
    func setSortKeys(account: AccountID, mailbox: MailboxID, _ keys: [UID: SortKeyData]) async throws

    // MARK: Full-text index (see `SearchDocumentMaker`)

    /// The messages of `uids` that may contain every one of `terms` (folded like the documents), ascending,
    /// and every message not indexed yet: a superset of the messages that contain them. Nil when the
    /// engine keeps no index or the terms narrow nothing (each shorter than `SearchTerms.pieceLength`):
    /// then every message is a candidate.
    func searchCandidates(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, terms: [[UInt8]]
    ) async throws
        -> [UID]?
    /// Makes the documents of up to `limit` message contents that have none (of `account`, or of every
    /// account when nil). Returns how many messages it indexed: 0 when none is left or the engine keeps
    /// no index. A content whose file cannot be read is left for a later call and not counted.
    func indexPending(account: AccountID?, limit: Int, maker: SearchDocumentMaker) async throws -> Int
    /// How far the account's index is; nil when the engine keeps no index.
    func searchIndexStatus(account: AccountID) async throws -> SearchIndexStatus?
    /// Drops documents so that `indexPending` makes them again: those of the account's messages (of
    /// every account when nil), or, with `otherThan`, only those made by another maker version.
    func resetSearchIndex(account: AccountID?, otherThan version: Int?) async throws

    // MARK: Quota (RFC 9208)
    //
    // Each account is one quota root. Its usage is the sum over all its messages (every copy counts)
    // and stays exact under concurrent writers: the check and the write it admits are one transaction.
    // APPEND and COPY that would take the account past a limit throw `.overQuota` and change nothing;
    // MOVE and RENAME leave the usage as it is and are never refused for quota.

    /// The account's usage and the limits in force.
    func quota(account: AccountID) async throws -> AccountQuota
    /// Gives the account limits of its own, or (nil) makes the store's default apply again.
    func setQuota(account: AccountID, limits: QuotaLimits?) async throws
    /// The limits of every account without limits of its own (`postern serve` sets it from its
    /// configuration at start, so a CLI beside it enforces the same).
    func setDefaultQuota(_ limits: QuotaLimits) async throws

    /// Publishes each committed change of a mailbox (append, flags, expunge, move, delete, rename).
    var changeHub: ChangeHub { get }

    /// Begins receiving a message for `append` (which consumes what `finish` returns). The engine
    /// decides where the bytes go: the SQLite engine stages beside its content files, so that storing
    /// the message is a rename. Writing more than `maxSize` bytes throws `.messageTooLarge`.
    func stageMessage(maxSize: Int) throws -> StagedMessageWriter
}

extension MailStore {
    /// APPEND (RFC 9051 §6.3.12): the single-message form of `append(account:mailbox:messages:)`.
    public func append(
        account: AccountID, mailbox: MailboxID, message: StagedMessage, flags: MessageFlags, internalDate: Date
    ) async throws -> AppendResult {
        let results = try await append(
            account: account, mailbox: mailbox,
            messages: [StagedAppend(message: message, flags: flags, internalDate: internalDate)])
        guard let result = results.first else { throw MailStoreError.internal("append: no result") }
        return result
    }

    /// Reads the mailbox again: engines that can do without do better.
    public func snapshot(
        account: AccountID, opening info: MailboxInfo, markRecentSeen: Bool
    ) async throws
        -> MailboxSnapshot
    {
        try await snapshot(account: account, mailbox: info.id, markRecentSeen: markRecentSeen)
    }

    /// No index: every message is a candidate.
    public func searchCandidates(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, terms: [[UInt8]]
    ) async throws -> [UID]? { nil }

    /// No index: nothing to do.
    public func indexPending(account: AccountID?, limit: Int, maker: SearchDocumentMaker) async throws -> Int { 0 }

    /// No index.
    public func searchIndexStatus(account: AccountID) async throws -> SearchIndexStatus? { nil }

    /// No index: nothing to drop.
    public func resetSearchIndex(account: AccountID?, otherThan version: Int?) async throws {}

    /// No cache: engines that keep one answer from it.
    public func cachedFlagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex? {
        nil
    }

    /// From `messages(account:mailbox:uids:with:without:)`; engines with an index do better.
    public func uids(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [UID] {
        try await messages(account: account, mailbox: mailbox, uids: uids, with: with, without: without).map(\.uid)
    }

    /// Reads the whole message into memory; engines with content files do better.
    public func openContent(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> MessageContent? {
        try await content(account: account, mailbox: mailbox, uid: uid).map { MessageContent(bytes: [UInt8]($0)) }
    }

    /// `openContent` per message; engines that can find them all at once do better.
    public func forEachContent(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, _ body: (UID, MessageContent) async throws -> Void
    ) async throws {
        for uid in uids {
            if let content = try await openContent(account: account, mailbox: mailbox, uid: uid) {
                try await body(uid, content)
            }
        }
    }

    /// Filters `messages(account:mailbox:uids:)` in memory; engines with an index do better.
    public func messages(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [MessageMeta] {
        try await messages(account: account, mailbox: mailbox, uids: uids).filter {
            $0.flags.system.isSuperset(of: with) && $0.flags.system.isDisjoint(with: without)
        }
    }
}

/// One copy of a message filed into several mailboxes (`MailStore.append(account:message:placements:)`).
public struct MailboxPlacement: Sendable, Equatable {
    public var mailbox: MailboxID
    public var flags: MessageFlags

    public init(mailbox: MailboxID, flags: MessageFlags) {
        self.mailbox = mailbox
        self.flags = flags
    }
}

/// One message of an atomic multi-append.
public struct StagedAppend: Sendable {
    public var message: StagedMessage
    public var flags: MessageFlags
    public var internalDate: Date
    /// The zone APPEND gave the date in, minutes east of UTC (see `MessageMeta.internalDateZone`).
    public var internalDateZone: Int
    public var structure: MessageStructure?
    /// Where an importer found the message (see "Import ledger" in `MailStore`), or nil.
    public var importKey: String?

    /// The longest import key, in UTF-8 bytes: a SHA-256 in hex with a short prefix fits many times.
    /// A longer key is refused (`.internal`) and nothing is appended.
    public static let maxImportKeyLength = 256

    /// Throws `.internal` when a key of `messages` is longer than `maxImportKeyLength`.
    public static func checkImportKeys(_ messages: [StagedAppend]) throws {
        for message in messages where (message.importKey?.utf8.count ?? 0) > maxImportKeyLength {
            throw MailStoreError.internal("import key longer than \(maxImportKeyLength) bytes")
        }
    }

    public init(
        message: StagedMessage, flags: MessageFlags, internalDate: Date, internalDateZone: Int = 0,
        structure: MessageStructure? = nil, importKey: String? = nil
    ) {
        self.message = message
        self.flags = flags
        self.internalDate = internalDate
        self.internalDateZone = internalDateZone
        self.structure = structure
        self.importKey = importKey
    }
}

/// A message's parse result in the MIME module's serialised form, with the parser version that made
/// it, so it can be recomputed when the parser improves. Opaque to the store.
public struct MessageStructure: Sendable, Equatable {
    public var version: Int
    public var data: [UInt8]
    /// Texts the layer above derived from it, when it stored some (see `DerivedTexts`).
    public var derived: DerivedTexts?

    public init(version: Int, data: [UInt8], derived: DerivedTexts? = nil) {
        self.version = version
        self.data = data
        self.derived = derived
    }
}
