import Foundation
import GRDB
import MailStore

extension SQLiteMailStore {
    public func status(account: AccountID, mailbox: MailboxID) async throws -> MailboxStatus {
        try await read("status", rows: .max) { db in
            let mailbox = try Self.selectableMailbox(db, account: account, id: mailbox)
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT COUNT(*) AS messages,
                               COALESCE(SUM((flags & \(SystemFlags.seen.rawValue)) = 0), 0) AS unseen,
                               COALESCE(SUM(uid >= ?), 0) AS recent,
                               COALESCE(SUM(size), 0) AS size
                        FROM messages WHERE mailbox_id = ?
                        """), arguments: [Int64(mailbox.firstRecentUID), mailbox.id])!
            return MailboxStatus(
                messages: row["messages"], unseen: row["unseen"], recent: row["recent"], uidNext: mailbox.uidNext,
                uidValidity: mailbox.uidValidity, highestModSeq: mailbox.highestModSeq, size: row["size"])
        }
    }

    public func snapshot(account: AccountID, mailbox: MailboxID, markRecentSeen: Bool) async throws -> MailboxSnapshot {
        try await snapshot(account: account, mailbox: mailbox, known: nil, markRecentSeen: markRecentSeen)
    }

    /// From the flag cache, `info` saves reading the mailbox row (SELECT of a big mailbox).
    public func snapshot(
        account: AccountID, opening info: MailboxInfo, markRecentSeen: Bool
    ) async throws
        -> MailboxSnapshot
    {
        try await snapshot(account: account, mailbox: info.id, known: info, markRecentSeen: markRecentSeen)
    }

    func snapshot(
        account: AccountID, mailbox: MailboxID, known: MailboxInfo?, markRecentSeen: Bool
    ) async throws -> MailboxSnapshot {
        if let cached = try await snapshotFromFlagIndexCache(
            account: account, mailbox: mailbox, known: known, markRecentSeen: markRecentSeen)
        {
            return cached
        }
        let plain = try await read("snapshot", rows: .max) { db -> (MailboxSnapshot, hasRecent: Bool) in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let snapshot = try Self.snapshot(db, row)
            // Recent messages that were expunged since need no claim (and no write).
            let hasRecent = (snapshot.uids.last ?? 0) >= row.firstRecentUID
            return (snapshot, hasRecent)
        }
        if !markRecentSeen || !plain.hasRecent { return plain.0 }
        // Claiming the recent messages is a write: only one session gets them.
        return try await write("snapshot") { db, _ in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            var snapshot = try Self.snapshot(db, row)
            snapshot.recentUIDs = snapshot.uids.filter { $0 >= row.firstRecentUID }
            if row.firstRecentUID < row.uidNext {
                try db.cachedStatement(sql: "UPDATE mailboxes SET first_recent_uid = uidnext WHERE id = ?").execute(
                    arguments: [mailbox])
            }
            return snapshot
        }
    }

    /// The mailbox as SELECT shows it, without recent messages: UIDs, keywords in use and first unseen
    /// (both from partial indexes, schema v3, so a big mailbox is not scanned for them).
    static func snapshot(_ db: Database, _ row: MailboxRow) throws -> MailboxSnapshot {
        var keywords: Set<String> = []
        let lists = try String.fetchCursor(
            db.cachedStatement(
                sql: "SELECT DISTINCT keywords FROM messages WHERE mailbox_id = ? AND keywords <> ''"),
            arguments: [row.id])
        while let list = try lists.next() {
            for keyword in list.split(separator: " ") { keywords.insert(String(keyword)) }
        }
        let firstUnseen = try Int64.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT uid FROM messages INDEXED BY messages_unseen WHERE mailbox_id = ? AND \(unseenTerm) ORDER BY uid LIMIT 1"
            ),
            arguments: [row.id])
        return MailboxSnapshot(
            info: row.info, uids: try allUIDs(db, mailbox: row.id), recentUIDs: [], keywords: keywords,
            firstUnseenUID: firstUnseen.map { UID(truncatingIfNeeded: $0) })
    }

    /// `[INDEXED BY messages_unseen] WHERE mailbox_id = ? AND uid BETWEEN ? AND ? AND <flag terms> ORDER BY uid`,
    /// with no term more than needed: unseen messages come from the partial index, whose term is then
    /// the only one about \Seen (so `SELECT uid` of unseen messages reads the index alone).
    static func flagFilter(with: SystemFlags, without: SystemFlags) -> String {
        var terms = ["mailbox_id = ?", "uid BETWEEN ? AND ?"]
        var without = without
        var index = ""
        if without.contains(.seen) {
            index = "INDEXED BY messages_unseen"
            terms.append(unseenTerm)
            without.remove(.seen)
        }
        if !with.isEmpty { terms.append("flags & \(with.rawValue) = \(with.rawValue)") }
        if !without.isEmpty { terms.append("flags & \(without.rawValue) = 0") }
        return "\(index) WHERE " + terms.joined(separator: " AND ") + " ORDER BY uid"
    }

    /// The WHERE term of the `messages_unseen` partial index, spelled exactly as the index has it
    /// (SQLite only uses a partial index for a query that repeats its term; \Seen is bit 0).
    static let unseenTerm = "flags & 1 = 0"

    public func claimRecent(account: AccountID, mailbox: MailboxID, through: UID) async throws -> ClosedRange<UID>? {
        // Mostly there is nothing to claim (another session, or an earlier SELECT, was first): a read
        // says so without a write transaction.
        let first = try await read("claimrecent", isolated: false) { db in
            try Self.selectableMailbox(db, account: account, id: mailbox).firstRecentUID
        }
        if first > through { return nil }
        return try await write("claimrecent") { db, _ in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let first = row.firstRecentUID
            guard first <= through, through < UID.max else { return nil }
            try db.cachedStatement(sql: "UPDATE mailboxes SET first_recent_uid = ? WHERE id = ?").execute(
                arguments: [Int64(through) + 1, mailbox])
            return first...through
        }
    }

    public func highestModSeq(account: AccountID, mailbox: MailboxID) async throws -> ModSeq? {
        try await read("highestmodseq", isolated: false) { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT highestmodseq FROM mailboxes WHERE id = ? AND account_id = ?"),
                arguments: [mailbox, account]
            ).map { ModSeq($0) }
        }
    }

    public func syncState(
        account: AccountID, mailbox: MailboxID
    ) async throws
        -> (uidValidity: UIDValidity, highestModSeq: ModSeq)?
    {
        try await read("syncstate", isolated: false) { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT uidvalidity, highestmodseq, noselect FROM mailboxes WHERE id = ? AND account_id = ?"
                    ),
                    arguments: [mailbox, account])
            else { return nil }
            let noSelect: Int64 = row[2]
            guard noSelect == 0 else { return nil }
            let validity: Int64 = row[0]
            let highest: Int64 = row[1]
            return (UIDValidity(truncatingIfNeeded: validity), ModSeq(highest))
        }
    }

    public func changes(account: AccountID, mailbox: MailboxID, since: ModSeq) async throws -> MailboxChanges {
        let since = Int64(clamping: since)
        return try await read("changes") { db in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            let changed = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(MessageRow.columns) FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid"),
                arguments: [mailbox, since]
            ).map { MessageRow(row: $0).meta }
            let expunged = try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid"),
                arguments: [mailbox, since]
            ).map { UID(truncatingIfNeeded: $0) }
            return MailboxChanges(
                highestModSeq: row.highestModSeq, uidNext: row.uidNext, changed: changed, expunged: expunged)
        }
    }

    public func messages(account: AccountID, mailbox: MailboxID, uids: UIDSet) async throws -> [MessageMeta] {
        try await read("messages", rows: uids.count, isolated: false) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            return try Self.messageRows(db, mailbox: mailbox, uids: uids).map(\.meta)
        }
    }

    /// The flag filter goes into the query; unseen messages come from the `messages_unseen` index.
    public func messages(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [MessageMeta] {
        if with.isEmpty && without.isEmpty { return try await messages(account: account, mailbox: mailbox, uids: uids) }
        let sql = "SELECT \(MessageRow.columns) FROM messages \(Self.flagFilter(with: with, without: without))"
        return try await read("messages", rows: uids.count, isolated: false) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            return try Self.selectByUID(db, mailbox: mailbox, uids: uids, sql: sql, map: MessageRow.init(row:))
                .map(\.meta)
        }
    }

    /// One query over the UID range (unseen messages from the `messages_unseen` index); only UIDs.
    public func uids(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, with: SystemFlags, without: SystemFlags
    ) async throws -> [UID] {
        guard let first = uids.ranges.first, let last = uids.ranges.last else { return [] }
        let sql = "SELECT uid FROM messages \(Self.flagFilter(with: with, without: without))"
        return try await read("uids", rows: uids.count, isolated: false) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            var found: [UID] = []
            let cursor = try Int64.fetchCursor(
                db.cachedStatement(sql: sql),
                arguments: [mailbox, Int64(first.lowerBound), Int64(last.upperBound)])
            while let value = try cursor.next() {
                let uid = UID(truncatingIfNeeded: value)
                if uids.ranges.count == 1 || uids.contains(uid) { found.append(uid) }
            }
            return found
        }
    }

    /// Four narrow columns of the mailbox's rows in one transaction; equal keyword lists share one set.
    /// From `flagIndexCache` when it holds the mailbox (brought up to date first), else read whole
    /// and kept there.
    public func flagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex {
        if let cached = try await cachedFlagIndex(account: account, mailbox: mailbox) { return cached }
        // Read before the rows are: a change published after this is applied at the next call.
        let generation = changeHub.generation(mailbox: mailbox)
        let index = try await readFlagIndex(account: account, mailbox: mailbox)
        flagIndexCache.install(
            FlagIndexCache.Key(account: account, mailbox: mailbox), index: index, generation: generation)
        return index
    }

    public func cachedFlagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex? {
        let key = FlagIndexCache.Key(account: account, mailbox: mailbox)
        let generation = changeHub.generation(mailbox: mailbox)
        guard let (cached, current) = flagIndexCache.lookup(key, generation: generation) else { return nil }
        if current { return cached }
        var index = cached
        do {
            index.apply(try await changes(account: account, mailbox: mailbox, since: index.highestModSeq))
        } catch {
            flagIndexCache.remove(key)
            throw error
        }
        flagIndexCache.install(key, index: index, generation: generation)
        return index
    }

    private func readFlagIndex(account: AccountID, mailbox: MailboxID) async throws -> MailboxFlagIndex {
        try await read("flagindex", rows: .max) { db in
            let row = try Self.selectableMailbox(db, account: account, id: mailbox)
            var index = MailboxFlagIndex(highestModSeq: row.highestModSeq)
            var keywordSets: [String: Set<String>] = [:]
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: "SELECT uid, modseq, flags, keywords FROM messages WHERE mailbox_id = ? ORDER BY uid"),
                arguments: [mailbox])
            while let message = try cursor.next() {
                index.uids.append(UID(truncatingIfNeeded: message[0] as Int64))
                index.modSeqs.append(ModSeq(truncatingIfNeeded: message[1] as Int64))
                var flags = MessageFlags(system: SystemFlags(rawValue: Int(message[2] as Int64)))
                let list: String = message[3]
                if !list.isEmpty {
                    if let known = keywordSets[list] {
                        flags.keywords = known
                    } else {
                        flags.keywords = FlagCoding.decode(system: 0, keywords: list).keywords
                        keywordSets[list] = flags.keywords
                    }
                }
                index.flags.append(flags)
            }
            return index
        }
    }

    public func content(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> Data? {
        guard let content = try await openContent(account: account, mailbox: mailbox, uid: uid) else { return nil }
        return try await guarded("content") { Data(try await content.readAll()) }
    }

    /// One read for the content file names, then each file opened just before `body` gets it (one
    /// open file at a time). A file that cannot be opened goes through `openContent`, which tells an
    /// expunge that unlinked it (skipped) from a real failure (thrown).
    public func forEachContent(
        account: AccountID, mailbox: MailboxID, uids: UIDSet, _ body: (UID, MessageContent) async throws -> Void
    ) async throws {
        let found = try await read("contents", rows: uids.count, isolated: false) { db in
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            return try Self.selectByUID(
                db, mailbox: mailbox, uids: uids,
                sql: "SELECT uid, blob FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid"
            ) { row in (UID(truncatingIfNeeded: row[0] as Int64), row[1] as String) }
        }
        for (uid, blob) in found {
            if let content = try? blobs.openForReading(blob) {
                try await body(uid, content)
            } else if let content = try await openContent(account: account, mailbox: mailbox, uid: uid) {
                try await body(uid, content)
            }
        }
    }

    /// Opens the content file (open and fstat on the caller's thread: cheap). Once open, an expunge
    /// that unlinks the file does not disturb the reader. A message opened recently is found without
    /// a database read, and a large one without opening its file again (`ContentLocations`).
    public func openContent(account: AccountID, mailbox: MailboxID, uid: UID) async throws -> MessageContent? {
        let found = contentLocations.lookup(account: account, mailbox: mailbox, uid: uid)
        if let content = found.content { return content }
        // A file gone since it was remembered (its message expunged) is looked up again.
        if let known = found.blob, let opened = try? blobs.openDescriptor(known) {
            return keep(opened, blob: known, account: account, mailbox: mailbox, uid: uid, epoch: found.epoch)
        }
        // The hottest lookup of a message body's FETCH: on `pointReader` (see `pointRead`).
        let blob = try pointRead("content") { db -> String? in
            // One query on the usual path (the message is there); the mailbox is checked on its own
            // only to tell a missing message from a missing (or another account's) mailbox.
            let sql = """
                SELECT m.blob FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                WHERE m.mailbox_id = ? AND m.uid = ? AND b.account_id = ? AND b.noselect = 0
                """
            if let blob = try String.fetchOne(db.cachedStatement(sql: sql), arguments: [mailbox, Int64(uid), account]) {
                return blob
            }
            _ = try Self.selectableMailbox(db, account: account, id: mailbox)
            return nil
        }
        guard let blob else { return nil }
        do {
            let opened = try blobs.openDescriptor(blob)
            return keep(opened, blob: blob, account: account, mailbox: mailbox, uid: uid, epoch: found.epoch)
        } catch {
            // An expunge may have committed and unlinked the file since the row was read.
            let stillThere = try await read("content", isolated: false) { db in
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM messages WHERE mailbox_id = ? AND uid = ?"),
                    arguments: [mailbox, Int64(uid)]
                ) != nil
            }
            if !stillThere { return nil }
            return try await guarded("content") { throw error }
        }
    }

    /// Messages from this size on have their file held open once opened (`ContentLocations`): they
    /// are the ones a client reads in pieces.
    static let heldFileMinimumSize = 64 * 1024

    /// The opened file as a `MessageContent`, remembered (and, when large, held) for the next open.
    private func keep(
        _ opened: (fd: Int32, size: Int), blob: String, account: AccountID, mailbox: MailboxID, uid: UID,
        epoch: UInt64
    ) -> MessageContent {
        var held: Int32?
        if opened.size >= Self.heldFileMinimumSize {
            let copy = dup(opened.fd)
            if copy >= 0 { held = copy }
        }
        contentLocations.remember(
            account: account, mailbox: mailbox, uid: uid, blob: blob, file: held, size: opened.size, epoch: epoch)
        return MessageContent(fileDescriptor: opened.fd, size: opened.size)
    }

    static func allUIDs(_ db: Database, mailbox: MailboxID) throws -> [UID] {
        var uids: [UID] = []
        let cursor = try Int64.fetchCursor(
            db.cachedStatement(sql: "SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid"), arguments: [mailbox])
        while let uid = try cursor.next() { uids.append(UID(truncatingIfNeeded: uid)) }
        return uids
    }

}

extension SQLiteMailStore {
    /// SELECT's view of a mailbox whose flags `flagIndexCache` holds, current, or nil. The UIDs,
    /// keywords in use and first unseen message come from the cache; UIDNEXT is at least one past its
    /// last UID, and HIGHESTMODSEQ is the cache's (what the view reflects: later changes are reported
    /// as updates). With `markRecentSeen` the \Recent messages are claimed like `snapshot` does
    /// (RFC 3501 §2.3.2).
    func snapshotFromFlagIndexCache(
        account: AccountID, mailbox: MailboxID, known: MailboxInfo?, markRecentSeen: Bool
    ) async throws -> MailboxSnapshot? {
        let key = FlagIndexCache.Key(account: account, mailbox: mailbox)
        let generation = changeHub.generation(mailbox: mailbox)
        guard let (index, current) = flagIndexCache.lookup(key, generation: generation), current else { return nil }
        logger.debug("mailbox view from the flag cache", metadata: ["messages": "\(index.uids.count)"])
        // The cache entry is the account's (its key), so `known` needs no check; without it, one row
        // (see `pointRead`).
        var info: MailboxInfo
        if let known, known.id == mailbox, !known.isNoSelect {
            info = known
        } else {
            info = try pointRead("snapshot") { db in
                try Self.selectableMailbox(db, account: account, id: mailbox).info
            }
        }
        info.highestModSeq = index.highestModSeq
        if let last = index.uids.last { info.uidNext = max(info.uidNext, last &+ 1) }
        var snapshot = MailboxSnapshot(info: info, uids: index.uids, recentUIDs: [])
        // Messages with the same keywords mostly share one set (see `MailboxFlagIndex`), and comparing
        // a set with itself is immediate.
        var lastKeywords: Set<String> = []
        for (i, flags) in index.flags.enumerated() {
            if snapshot.firstUnseenUID == nil && !flags.system.contains(.seen) {
                snapshot.firstUnseenUID = index.uids[i]
            }
            if !flags.keywords.isEmpty && flags.keywords != lastKeywords {
                snapshot.keywords.formUnion(flags.keywords)
                lastKeywords = flags.keywords
            }
        }
        if markRecentSeen, let last = index.uids.last,
            let claimed = try await claimRecent(account: account, mailbox: mailbox, through: last)
        {
            snapshot.recentUIDs = index.uids.filter { claimed.contains($0) }
        }
        return snapshot
    }
}
