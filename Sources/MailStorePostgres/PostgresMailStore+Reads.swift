import Foundation
import MailStore
import PostgresNIO

extension PostgresMailStore {
    public func status(account: AccountID, mailbox: MailboxID) async throws -> MailboxStatus {
        try await read("status") { tx in
            let box = try await tx.selectable(account, mailbox)
            guard
                let row = try await tx.row(
                    """
                    SELECT count(*), count(*) FILTER (WHERE flags & 1 = 0),
                        count(*) FILTER (WHERE uid >= \(Int64(box.firstRecentUID))), coalesce(sum(size), 0)::bigint
                    FROM messages WHERE mailbox_id = \(mailbox)
                    """)
            else { throw MailStoreError.internal("status returned nothing") }
            let (messages, unseen, recent, size) = try row.decode((Int64, Int64, Int64, Int64).self)
            return MailboxStatus(
                messages: Int(messages), unseen: Int(unseen), recent: Int(recent), uidNext: box.uidNext,
                uidValidity: box.uidValidity, highestModSeq: box.highestModSeq, size: size)
        }
    }

    /// With `markRecentSeen`, the messages from the first-recent UID on are this session's \Recent ones
    /// and the first-recent UID moves to UIDNEXT (when some such message is still there); the mailbox
    /// row is locked for that, so two sessions on any nodes never both see a message as recent.
    public func snapshot(account: AccountID, mailbox: MailboxID, markRecentSeen: Bool) async throws -> MailboxSnapshot {
        let body: (Transaction) async throws -> MailboxSnapshot = { tx in
            let box = try await tx.selectable(account, mailbox, lock: markRecentSeen)
            let uids = try await tx.rows("SELECT uid FROM messages WHERE mailbox_id = \(mailbox) ORDER BY uid").map {
                UID(truncatingIfNeeded: try $0.decode(Int64.self))
            }
            let keywords = try await tx.rows(
                "SELECT DISTINCT unnest(keywords) FROM messages WHERE mailbox_id = \(mailbox) AND keywords <> '{}'"
            ).map { try $0.decode(String.self) }
            let firstUnseen = try await tx.row(
                "SELECT min(uid) FROM messages WHERE mailbox_id = \(mailbox) AND flags & 1 = 0"
            )?.decode(Int64?.self)
            var snapshot = MailboxSnapshot(
                info: box.info, uids: uids, recentUIDs: [], keywords: Set(keywords),
                firstUnseenUID: firstUnseen.map { UID(truncatingIfNeeded: $0) })
            if markRecentSeen && (uids.last ?? 0) >= box.firstRecentUID {
                snapshot.recentUIDs = uids.filter { $0 >= box.firstRecentUID }
                if box.firstRecentUID < box.uidNext {
                    try await tx.rows(
                        "UPDATE mailboxes SET first_recent_uid = \(Int64(box.uidNext)) WHERE id = \(mailbox)")
                }
            }
            return snapshot
        }
        return markRecentSeen ? try await write("open mailbox", body) : try await read("open mailbox", body)
    }

    public func claimRecent(account: AccountID, mailbox: MailboxID, through: UID) async throws -> ClosedRange<UID>? {
        try await write("claim recent") { tx in
            let first = try await tx.selectable(account, mailbox, lock: true).firstRecentUID
            guard first <= through, through < UID.max else { return nil }
            try await tx.rows(
                "UPDATE mailboxes SET first_recent_uid = \(Int64(through) + 1) WHERE id = \(mailbox)")
            return first...through
        }
    }

    public func highestModSeq(account: AccountID, mailbox: MailboxID) async throws -> ModSeq? {
        try await query(
            "read highest modseq",
            "SELECT highestmodseq FROM mailboxes WHERE id = \(mailbox) AND account_id = \(account)"
        ).first.map { ModSeq(truncatingIfNeeded: try $0.decode(Int64.self)) }
    }

    public func syncState(
        account: AccountID, mailbox: MailboxID
    ) async throws
        -> (uidValidity: UIDValidity, highestModSeq: ModSeq)?
    {
        guard
            let row = try await query(
                "read sync state",
                """
                SELECT uidvalidity, highestmodseq FROM mailboxes
                WHERE id = \(mailbox) AND account_id = \(account) AND NOT noselect
                """
            ).first
        else { return nil }
        let (validity, modSeq) = try row.decode((Int64, Int64).self)
        return (UIDValidity(truncatingIfNeeded: validity), ModSeq(truncatingIfNeeded: modSeq))
    }

    public func changes(account: AccountID, mailbox: MailboxID, since: ModSeq) async throws -> MailboxChanges {
        try await read("read changes") { tx in
            let box = try await tx.selectable(account, mailbox)
            let since = Int64(clamping: since)
            let changed = try await tx.rows(
                """
                SELECT \(unescaped: PGMessage.columns) FROM messages WHERE mailbox_id = \(mailbox) AND modseq > \(since)
                ORDER BY uid
                """
            ).map { try PGMessage(row: $0).meta }
            let expunged = try await tx.rows(
                "SELECT uid FROM expunged WHERE mailbox_id = \(mailbox) AND modseq > \(since) ORDER BY uid"
            ).map { UID(truncatingIfNeeded: try $0.decode(Int64.self)) }
            return MailboxChanges(
                highestModSeq: box.highestModSeq, uidNext: box.uidNext, changed: changed, expunged: expunged)
        }
    }

    public func messages(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [MessageMeta] {
        try await read("read messages") { tx in
            _ = try await tx.selectable(account, mailbox)
            return try await tx.messages(mailbox, uids).map { try PGMessage(row: $0).meta }
        }
    }

    public func messages(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [MessageMeta] {
        try await messages(account: account, mailbox: mailbox, uids: uids).filter {
            $0.flags.system.isSuperset(of: with) && $0.flags.system.isDisjoint(with: without)
        }
    }

    public func flagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex {
        try await read("read flag index") { tx in
            let box = try await tx.selectable(account, mailbox)
            var index = MailboxFlagIndex(highestModSeq: box.highestModSeq)
            for row in try await tx.rows(
                "SELECT uid, modseq, flags, keywords FROM messages WHERE mailbox_id = \(mailbox) ORDER BY uid")
            {
                let (uid, modSeq, system, keywords) = try row.decode((Int64, Int64, Int32, [String]).self)
                index.uids.append(UID(truncatingIfNeeded: uid))
                index.modSeqs.append(ModSeq(truncatingIfNeeded: modSeq))
                index.flags.append(MessageFlags(system: SystemFlags(rawValue: Int(system)), keywords: Set(keywords)))
            }
            return index
        }
    }

    public func content(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> Data? {
        try await read("read content") { tx in
            guard let (content, size) = try await Self.contentOf(tx, account, mailbox, uid) else { return nil }
            return Data(try await PostgresContent.bytes(tx, content: content, size: size))
        }
    }

    public func openContent(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> MessageContent? {
        let spool = stagingDirectory
        return try await read("open content") { tx -> MessageContent? in
            guard let (content, size) = try await Self.contentOf(tx, account, mailbox, uid) else { return nil }
            return try await PostgresContent.openReader(tx, content: content, size: size, spoolDirectory: spool)
        }
    }

    /// Finds the messages in one read, then opens each in turn (no transaction is held while `body` runs;
    /// a message expunged in between is skipped).
    public func forEachContent(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, _ body: (UID, MessageContent) async throws -> Void
    ) async throws {
        let found = try await messages(account: account, mailbox: mailbox, uids: uids).map(\.uid)
        for uid in found {
            if let content = try await openContent(account: account, mailbox: mailbox, uid: uid) {
                try await body(uid, content)
            }
        }
    }

    /// The content id and size of a message of a selectable mailbox, or nil when it is gone.
    private static func contentOf(
        _ tx: Transaction, _ account: AccountID, _ mailbox: MailboxID, _ uid: UID
    ) async throws -> (Int64, Int)? {
        _ = try await tx.selectable(account, mailbox)
        guard
            let row = try await tx.row(
                "SELECT content_id, size FROM messages WHERE mailbox_id = \(mailbox) AND uid = \(Int64(uid))")
        else { return nil }
        let (content, size) = try row.decode((Int64, Int64).self)
        return (content, Int(size))
    }
}
