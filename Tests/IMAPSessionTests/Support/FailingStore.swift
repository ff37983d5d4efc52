import Foundation
import MailStore
import Synchronization

/// A store that forwards to a real engine, except for the operations told to fail: those throw an
/// internal error whose text must never reach a client.
final class FailingStore: MailStore {
    static let secret = "disk on fire at /srv/secret/path"

    let inner: any MailStore
    private let failing = Mutex<Set<String>>([])

    init(_ inner: any MailStore) {
        self.inner = inner
    }

    func fail(_ operations: Set<String>) { failing.withLock { $0 = operations } }

    func check(_ operation: String) throws {
        if failing.withLock({ $0.contains(operation) }) { throw MailStoreError.internal(Self.secret) }
    }

    var changeHub: ChangeHub { inner.changeHub }

    func stageMessage(maxSize: Int) throws -> StagedMessageWriter {
        try check("stageMessage")
        return try inner.stageMessage(maxSize: maxSize)
    }

    func quota(account: AccountID) async throws -> AccountQuota {
        try check("quota")
        return try await inner.quota(account: account)
    }

    func setQuota(account: AccountID, limits: QuotaLimits?) async throws {
        try check("setQuota")
        try await inner.setQuota(account: account, limits: limits)
    }

    func setDefaultQuota(_ limits: QuotaLimits) async throws {
        try check("setDefaultQuota")
        try await inner.setDefaultQuota(limits)
    }

    func listMailboxes(account: AccountID) async throws -> [MailboxInfo] {
        try check("listMailboxes")
        return try await inner.listMailboxes(account: account)
    }

    func mailbox(account: AccountID, name: String) async throws -> MailboxInfo? {
        try check("mailbox")
        return try await inner.mailbox(account: account, name: name)
    }

    func createMailbox(account: AccountID, name: String, specialUse: SpecialUse?) async throws -> MailboxInfo {
        try check("createMailbox")
        return try await inner.createMailbox(account: account, name: name, specialUse: specialUse)
    }

    func deleteMailbox(account: AccountID, name: String) async throws {
        try check("deleteMailbox")
        try await inner.deleteMailbox(account: account, name: name)
    }

    func renameMailbox(account: AccountID, from: String, to: String) async throws {
        try check("renameMailbox")
        try await inner.renameMailbox(account: account, from: from, to: to)
    }

    func setSubscribed(account: AccountID, name: String, subscribed: Bool) async throws {
        try check("setSubscribed")
        try await inner.setSubscribed(account: account, name: name, subscribed: subscribed)
    }

    func subscriptions(account: AccountID) async throws -> [String] {
        try check("subscriptions")
        return try await inner.subscriptions(account: account)
    }

    func status(account: AccountID, mailbox: MailboxID) async throws -> MailboxStatus {
        try check("status")
        return try await inner.status(account: account, mailbox: mailbox)
    }

    func snapshot(account: AccountID, mailbox: MailboxID, markRecentSeen: Bool) async throws -> MailboxSnapshot {
        try check("snapshot")
        return try await inner.snapshot(account: account, mailbox: mailbox, markRecentSeen: markRecentSeen)
    }

    func claimRecent(account: AccountID, mailbox: MailboxID, through: UID) async throws -> ClosedRange<UID>? {
        try check("claimRecent")
        return try await inner.claimRecent(account: account, mailbox: mailbox, through: through)
    }

    func highestModSeq(account: AccountID, mailbox: MailboxID) async throws -> ModSeq? {
        try check("highestModSeq")
        return try await inner.highestModSeq(account: account, mailbox: mailbox)
    }

    func syncState(
        account: AccountID, mailbox: MailboxID
    ) async throws -> (uidValidity: UIDValidity, highestModSeq: ModSeq)? {
        try check("syncState")
        return try await inner.syncState(account: account, mailbox: mailbox)
    }

    func changes(account: AccountID, mailbox: MailboxID, since: ModSeq) async throws -> MailboxChanges {
        try check("changes")
        return try await inner.changes(account: account, mailbox: mailbox, since: since)
    }

    func messages(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [MessageMeta] {
        try check("messages")
        return try await inner.messages(account: account, mailbox: mailbox, uids: uids)
    }

    func messages(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [MessageMeta] {
        try check("messages")
        return try await inner.messages(account: account, mailbox: mailbox, uids: uids, with: with, without: without)
    }

    func flagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex {
        try check("flagIndex")
        return try await inner.flagIndex(account: account, mailbox: mailbox)
    }

    func cachedFlagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex? {
        try check("flagIndex")
        return try await inner.cachedFlagIndex(account: account, mailbox: mailbox)
    }

    func content(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> Data? {
        try check("content")
        return try await inner.content(account: account, mailbox: mailbox, uid: uid)
    }

    func uids(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [UID] {
        try check("uids")
        return try await inner.uids(account: account, mailbox: mailbox, uids: uids, with: with, without: without)
    }

    func openContent(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> MessageContent? {
        try check("content")
        return try await inner.openContent(account: account, mailbox: mailbox, uid: uid)
    }

    func forEachContent(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, _ body: (UID, MessageContent) async throws -> Void
    ) async throws {
        try check("content")
        try await inner.forEachContent(account: account, mailbox: mailbox, uids: uids, body)
    }

    func append(
        account: AccountID, mailbox: MailboxID, message: StagedMessage, flags: MessageFlags, internalDate: Date
    ) async throws -> AppendResult {
        try check("append")
        return try await inner.append(
            account: account, mailbox: mailbox, message: message, flags: flags, internalDate: internalDate)
    }

    func store(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, operation: FlagOperation, flags: MessageFlags,
        unchangedSince: ModSeq?
    ) async throws -> (updated: [FlagUpdate], modified: [UID]) {
        try check("store")
        return try await inner.store(
            account: account, mailbox: mailbox, uids: uids, operation: operation, flags: flags,
            unchangedSince: unchangedSince)
    }

    func copy(account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID) async throws -> CopyResult {
        try check("copy")
        return try await inner.copy(account: account, from: from, uids: uids, to: to)
    }

    func expunge(account: AccountID, mailbox: MailboxID, uids: UIDSet?) async throws -> [UID] {
        try check("expunge")
        return try await inner.expunge(account: account, mailbox: mailbox, uids: uids)
    }

    func move(
        account: AccountID, from: MailboxID, uids: UIDSet, to: MailboxID
    ) async throws -> (copied: CopyResult, expunged: [UID]) {
        try check("move")
        return try await inner.move(account: account, from: from, uids: uids, to: to)
    }

    func replace(
        account: AccountID, mailbox: MailboxID, message: StagedAppend, replacing: MailboxID, uid: UID
    ) async throws -> (appended: AppendResult, expunged: [UID]) {
        try check("replace")
        return try await inner.replace(
            account: account, mailbox: mailbox, message: message, replacing: replacing, uid: uid)
    }

    func append(account: AccountID, mailbox: MailboxID, messages: [StagedAppend]) async throws -> [AppendResult] {
        try check("append")
        return try await inner.append(account: account, mailbox: mailbox, messages: messages)
    }

    func appendOnce(account: AccountID, mailbox: MailboxID, messages: [StagedAppend]) async throws -> [AppendResult?] {
        try check("append")
        return try await inner.appendOnce(account: account, mailbox: mailbox, messages: messages)
    }

    func append(
        account: AccountID, message: StagedAppend, placements: [MailboxPlacement]
    ) async throws
        -> [AppendResult]
    {
        try check("append")
        return try await inner.append(account: account, message: message, placements: placements)
    }

    func importedKeys(account: AccountID, prefix: String) async throws -> Set<String> {
        try check("importedKeys")
        return try await inner.importedKeys(account: account, prefix: prefix)
    }

    func structures(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [UID: MessageStructure] {
        try check("structures")
        return try await inner.structures(account: account, mailbox: mailbox, uids: uids)
    }

    func derivedTexts(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> DerivedTextsBatch {
        try check("renderings")
        return try await inner.derivedTexts(account: account, mailbox: mailbox, uids: uids)
    }

    func setStructure(account: AccountID, mailbox: MailboxID, uid: UID, structure: MessageStructure) async throws {
        try check("setStructure")
        try await inner.setStructure(account: account, mailbox: mailbox, uid: uid, structure: structure)
    }

    func sortKeys(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [UID: SortKeyData] {
        try check("sortKeys")
        return try await inner.sortKeys(account: account, mailbox: mailbox, uids: uids)
    }

    func setSortKeys(account: AccountID, mailbox: MailboxID, _ keys: [UID: SortKeyData]) async throws {
        try check("setSortKeys")
        try await inner.setSortKeys(account: account, mailbox: mailbox, keys)
    }
}
