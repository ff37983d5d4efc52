import Foundation
import MailStore

extension MemoryMailStore {
    public func status(account: AccountID, mailbox: MailboxID) async throws -> MailboxStatus {
        try read { state in
            let box = try state.selectable(account, mailbox)
            var unseen = 0
            var recent = 0
            var size: Int64 = 0
            for message in box.messages {
                if !message.flags.system.contains(.seen) { unseen += 1 }
                if message.uid >= box.firstRecentUID { recent += 1 }
                size += Int64(message.size)
            }
            return MailboxStatus(
                messages: box.messages.count, unseen: unseen, recent: recent, uidNext: box.uidNext,
                uidValidity: box.uidValidity, highestModSeq: box.highestModSeq, size: size)
        }
    }

    /// With `markRecentSeen`, the messages from the first-recent UID on are this session's \Recent ones
    /// and the first-recent UID moves to UIDNEXT (when some such message is still there).
    public func snapshot(account: AccountID, mailbox: MailboxID, markRecentSeen: Bool) async throws -> MailboxSnapshot {
        try change { state, _ in
            let box = try state.selectable(account, mailbox)
            var keywords: Set<String> = []
            var firstUnseen: UID?
            for message in box.messages {
                keywords.formUnion(message.flags.keywords)
                if firstUnseen == nil && !message.flags.system.contains(.seen) { firstUnseen = message.uid }
            }
            let uids = box.messages.map(\.uid)
            var snapshot = MailboxSnapshot(
                info: box.info, uids: uids, recentUIDs: [], keywords: keywords, firstUnseenUID: firstUnseen)
            if markRecentSeen && (uids.last ?? 0) >= box.firstRecentUID {
                snapshot.recentUIDs = uids.filter { $0 >= box.firstRecentUID }
                if box.firstRecentUID < box.uidNext { state.mailboxes[mailbox]?.firstRecentUID = box.uidNext }
            }
            return snapshot
        }
    }

    public func claimRecent(account: AccountID, mailbox: MailboxID, through: UID) async throws -> ClosedRange<UID>? {
        try change { state, _ in
            let first = try state.selectable(account, mailbox).firstRecentUID
            guard first <= through, through < UID.max else { return nil }
            state.mailboxes[mailbox]?.firstRecentUID = through + 1
            return first...through
        }
    }

    public func highestModSeq(account: AccountID, mailbox: MailboxID) async throws -> ModSeq? {
        try read { state in try? state.mailbox(account, mailbox).highestModSeq }
    }

    public func syncState(
        account: AccountID, mailbox: MailboxID
    ) async throws
        -> (uidValidity: UIDValidity, highestModSeq: ModSeq)?
    {
        try read { state in
            guard let box = try? state.selectable(account, mailbox) else { return nil }
            return (box.uidValidity, box.highestModSeq)
        }
    }

    public func changes(account: AccountID, mailbox: MailboxID, since: ModSeq) async throws -> MailboxChanges {
        try read { state in
            let box = try state.selectable(account, mailbox)
            return MailboxChanges(
                highestModSeq: box.highestModSeq, uidNext: box.uidNext,
                changed: box.messages.filter { $0.modSeq > since }.map(\.meta),
                expunged: box.expunged.filter { $0.value > since }.keys.sorted())
        }
    }

    public func messages(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [MessageMeta] {
        try read { state in
            let box = try state.selectable(account, mailbox)
            return box.positions(of: uids).map { box.messages[$0].meta }
        }
    }

    public func messages(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [MessageMeta] {
        try read { state in
            let box = try state.selectable(account, mailbox)
            return box.positions(of: uids).map { box.messages[$0] }.filter { Self.matches($0, with, without) }
                .map(\.meta)
        }
    }

    public func uids(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [UID] {
        try read { state in
            let box = try state.selectable(account, mailbox)
            return box.positions(of: uids).map { box.messages[$0] }.filter { Self.matches($0, with, without) }
                .map(\.uid)
        }
    }

    static func matches(_ message: MemoryMessage, _ with: SystemFlags, _ without: SystemFlags) -> Bool {
        message.flags.system.isSuperset(of: with) && message.flags.system.isDisjoint(with: without)
    }

    public func flagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex {
        try read { state in
            let box = try state.selectable(account, mailbox)
            return MailboxFlagIndex(
                uids: box.messages.map(\.uid), flags: box.messages.map(\.flags), modSeqs: box.messages.map(\.modSeq),
                highestModSeq: box.highestModSeq)
        }
    }

    public func content(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> Data? {
        try bytes(account: account, mailbox: mailbox, uid: uid).map { Data($0) }
    }

    public func openContent(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> MessageContent? {
        try bytes(account: account, mailbox: mailbox, uid: uid).map { MessageContent(bytes: $0) }
    }

    /// The text of the messages is taken under the lock (shared, not copied), then handed to `body`
    /// one message at a time, outside it.
    public func forEachContent(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, _ body: (UID, MessageContent) async throws -> Void
    ) async throws {
        let found = try read { state -> [(UID, [UInt8])] in
            let box = try state.selectable(account, mailbox)
            return box.positions(of: uids).compactMap { i in
                let message = box.messages[i]
                return state.contents[message.content].map { (message.uid, $0.bytes) }
            }
        }
        for (uid, bytes) in found { try await body(uid, MessageContent(bytes: bytes)) }
    }

    /// The stored text of a message, or nil when it is not there.
    private func bytes(account: AccountID, mailbox: MailboxID, uid: UID) throws -> [UInt8]? {
        try read { state in
            let box = try state.selectable(account, mailbox)
            return box.position(of: uid).flatMap { state.contents[box.messages[$0].content]?.bytes }
        }
    }
}
