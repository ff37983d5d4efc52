import Foundation
import GRDB
import MailStore

extension SQLiteMailStore {
    public func listMailboxes(account: AccountID) async throws -> [MailboxInfo] {
        try await read("list mailboxes") { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(MailboxRow.columns) FROM mailboxes WHERE account_id = ? ORDER BY name"),
                arguments: [account])
            if rows.isEmpty { try Self.requireAccount(db, account) }
            return rows.map { MailboxRow(row: $0).info }
        }
    }

    /// The mailbox called `name` (INBOX in any case), or nil — also for names that cannot exist.
    public func mailbox(account: AccountID, name: String) async throws -> MailboxInfo? {
        guard let name = try? MailboxPath.validated(name) else { return nil }
        return try await read("find mailbox", isolated: false) { db in
            try Self.mailboxRow(db, account: account, name: name)?.info
        }
    }

    public func createMailbox(account: AccountID, name: String, specialUse: SpecialUse?) async throws -> MailboxInfo {
        let name = try MailboxPath.validated(name)
        return try await write("create mailbox") { db, effects in
            try Self.requireAccount(db, account)
            if let existing = try Self.mailboxRow(db, account: account, name: name) {
                guard existing.isNoSelect else { throw MailStoreError.mailboxExists }
                // A placeholder becomes a new, empty, selectable incarnation.
                let validity = try Self.nextUIDValidity(db, account: account)
                try db.cachedStatement(
                    sql: """
                        UPDATE mailboxes SET noselect = 0, uidvalidity = ?, uidnext = 1, highestmodseq = 1,
                        first_recent_uid = 1, special_use = ? WHERE id = ?
                        """
                ).execute(
                    arguments: [Int64(validity), specialUse?.rawValue, existing.id])
                try db.cachedStatement(sql: "DELETE FROM expunged WHERE mailbox_id = ?").execute(arguments: [
                    existing.id
                ])
                effects.changedMailboxes.insert(existing.id)
                return try Self.mailboxRow(db, account: account, id: existing.id).info
            }
            try Self.createMissingAncestors(db, account: account, of: name)
            return try Self.insertMailbox(db, account: account, name: name, specialUse: specialUse).info
        }
    }

    public func deleteMailbox(account: AccountID, name: String) async throws {
        let name = try MailboxPath.validated(name)
        if MailboxPath.isInbox(name) { throw MailStoreError.cannotDeleteInbox }
        try await write("delete mailbox") { db, effects in
            guard let mailbox = try Self.mailboxRow(db, account: account, name: name) else {
                throw MailStoreError.mailboxNotFound
            }
            let blobs = try String.fetchSet(
                db.cachedStatement(sql: "SELECT DISTINCT blob FROM messages WHERE mailbox_id = ?"),
                arguments: [mailbox.id])
            if try Self.hasChildren(db, account: account, name: name) {
                if mailbox.isNoSelect { throw MailStoreError.noSelect }
                try db.cachedStatement(sql: "DELETE FROM messages WHERE mailbox_id = ?").execute(arguments: [mailbox.id]
                )
                try db.cachedStatement(sql: "DELETE FROM expunged WHERE mailbox_id = ?").execute(arguments: [mailbox.id]
                )
                try db.cachedStatement(sql: "UPDATE mailboxes SET noselect = 1, special_use = NULL WHERE id = ?")
                    .execute(
                        arguments: [mailbox.id])
            } else {
                try db.cachedStatement(sql: "DELETE FROM mailboxes WHERE id = ?").execute(arguments: [mailbox.id])
                effects.changedMailboxes.formUnion(try Self.removeEmptyPlaceholders(db, account: account, above: name))
            }
            effects.changedMailboxes.insert(mailbox.id)
            effects.unlinkBlobs += try Self.unreferenced(db, blobs)
        }
    }

    public func renameMailbox(account: AccountID, from: String, to: String) async throws {
        let from = try MailboxPath.validated(from)
        let to = try MailboxPath.validated(to)
        try await write("rename mailbox") { db, effects in
            guard let source = try Self.mailboxRow(db, account: account, name: from) else {
                throw MailStoreError.mailboxNotFound
            }
            let targetExists = try Self.mailboxRow(db, account: account, name: to) != nil
            if MailboxPath.isInbox(to) || from == to || targetExists {
                throw MailStoreError.mailboxExists
            }
            if source.name == MailboxPath.inbox {
                try Self.createMissingAncestors(db, account: account, of: to)
                let target = try Self.insertMailbox(db, account: account, name: to, specialUse: nil)
                try Self.moveAllMessages(db, from: source, to: target)
                effects.changedMailboxes.formUnion([source.id, target.id])
                return
            }
            if MailboxPath.isInside(to, ancestor: from) {
                throw MailStoreError.invalidMailboxName("cannot rename a mailbox into itself")
            }
            let family = try Self.mailboxRows(db, account: account, inside: from)
            var renames: [(id: MailboxID, old: String, new: String)] = []
            for member in family {
                let newName = to + member.name.dropFirst(from.count)
                try MailboxPath.validate(newName)
                if try Self.mailboxRow(db, account: account, name: newName) != nil {
                    throw MailStoreError.mailboxExists
                }
                renames.append((member.id, member.name, newName))
            }
            try Self.createMissingAncestors(db, account: account, of: to)
            for rename in renames {
                try db.cachedStatement(sql: "UPDATE mailboxes SET name = ? WHERE id = ?").execute(arguments: [
                    rename.new, rename.id,
                ])
                try db.cachedStatement(
                    sql: "UPDATE OR REPLACE subscriptions SET name = ? WHERE account_id = ? AND name = ?"
                ).execute(
                    arguments: [rename.new, account, rename.old])
            }
            effects.changedMailboxes.formUnion(renames.map(\.id))
            effects.changedMailboxes.formUnion(try Self.removeEmptyPlaceholders(db, account: account, above: from))
        }
    }

    public func setSubscribed(account: AccountID, name: String, subscribed: Bool) async throws {
        let name = try MailboxPath.validated(name)
        try await write("subscribe") { db, _ in
            try Self.requireAccount(db, account)
            if subscribed {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)")
                    .execute(
                        arguments: [account, name])
            } else {
                try db.cachedStatement(sql: "DELETE FROM subscriptions WHERE account_id = ? AND name = ?").execute(
                    arguments: [account, name])
            }
        }
    }

    public func subscriptions(account: AccountID) async throws -> [String] {
        try await read("list subscriptions") { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name"),
                arguments: [account])
        }
    }
}

// MARK: Transaction helpers

extension SQLiteMailStore {
    @discardableResult
    static func insertMailbox(
        _ db: Database, account: AccountID, name: String, specialUse: SpecialUse?
    ) throws
        -> MailboxRow
    {
        let validity = try nextUIDValidity(db, account: account)
        try db.cachedStatement(
            sql: "INSERT INTO mailboxes (account_id, name, uidvalidity, special_use) VALUES (?, ?, ?, ?)"
        ).execute(
            arguments: [account, name, Int64(validity), specialUse?.rawValue])
        return try mailboxRow(db, account: account, id: db.lastInsertedRowID)
    }

    static func createMissingAncestors(_ db: Database, account: AccountID, of name: String) throws {
        for ancestor in MailboxPath.ancestors(of: name)
        where try mailboxRow(db, account: account, name: ancestor) == nil {
            try insertMailbox(db, account: account, name: ancestor, specialUse: nil)
        }
    }

    /// Range bounds of the names strictly below `name`: "a/" ≤ child < "a0" ('0' follows '/').
    private static func childRange(_ name: String) -> (String, String) {
        (name + "/", name + "0")
    }

    static func hasChildren(_ db: Database, account: AccountID, name: String) throws -> Bool {
        let (low, high) = childRange(name)
        return try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM mailboxes WHERE account_id = ? AND name >= ? AND name < ? LIMIT 1"),
            arguments: [account, low, high]) != nil
    }

    /// The mailbox called `name` and all below it.
    static func mailboxRows(_ db: Database, account: AccountID, inside name: String) throws -> [MailboxRow] {
        let (low, high) = childRange(name)
        return try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT \(MailboxRow.columns) FROM mailboxes
                    WHERE account_id = ? AND (name = ? OR (name >= ? AND name < ?)) ORDER BY name
                    """), arguments: [account, name, low, high]
        ).map(MailboxRow.init(row:))
    }

    /// Removes \Noselect ancestors of `name` that no longer have children, innermost first. Returns
    /// the ids removed.
    @discardableResult
    static func removeEmptyPlaceholders(
        _ db: Database, account: AccountID, above name: String
    ) throws
        -> [MailboxID]
    {
        var removed: [MailboxID] = []
        for ancestor in MailboxPath.ancestors(of: name).reversed() {
            guard let row = try mailboxRow(db, account: account, name: ancestor), row.isNoSelect,
                try !hasChildren(db, account: account, name: ancestor)
            else { break }
            try db.cachedStatement(sql: "DELETE FROM mailboxes WHERE id = ?").execute(arguments: [row.id])
            removed.append(row.id)
        }
        return removed
    }

    /// RENAME INBOX (RFC 9051 §6.3.6): every message moves to `target` with new UIDs (ascending in the
    /// old order, SAVEDATE now, as for MOVE) and leaves a tombstone in INBOX, whose UIDVALIDITY and
    /// UIDNEXT stay.
    static func moveAllMessages(_ db: Database, from source: MailboxRow, to target: MailboxRow) throws {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(MessageRow.columns) FROM messages WHERE mailbox_id = ? ORDER BY uid"),
            arguments: [source.id]
        ).map(MessageRow.init(row:))
        guard !rows.isEmpty else { return }
        _ = try insertCopies(db, rows, into: target)
        let sourceModSeq = source.highestModSeq + 1
        try removeMessages(db, mailbox: source.id, uids: rows.map(\.uid), modSeq: sourceModSeq)
        try db.cachedStatement(sql: "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?").execute(
            arguments: [Int64(sourceModSeq), source.id])
    }
}
