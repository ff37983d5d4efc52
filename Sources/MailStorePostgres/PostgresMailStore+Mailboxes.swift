import Foundation
import MailStore
import PostgresNIO

extension PostgresMailStore {
    /// Ordered by the bytes of their names.
    public func listMailboxes(account: AccountID) async throws -> [MailboxInfo] {
        try await read("list mailboxes") { tx in
            try await tx.requireAccount(account)
            return try await tx.rows(
                """
                SELECT \(unescaped: PGMailbox.columns) FROM mailboxes WHERE account_id = \(account)
                ORDER BY name COLLATE "C"
                """
            ).map { try PGMailbox(row: $0).info }
        }
    }

    public func mailbox(account: AccountID, name: String) async throws -> MailboxInfo? {
        guard let name = try? MailboxPath.validated(name) else { return nil }
        return try await query(
            "find mailbox",
            """
            SELECT \(unescaped: PGMailbox.columns) FROM mailboxes WHERE account_id = \(account) AND name = \(name)
            """
        ).first.map { try PGMailbox(row: $0).info }
    }

    public func createMailbox(account: AccountID, name: String, specialUse: SpecialUse?) async throws -> MailboxInfo {
        let name = try MailboxPath.validated(name)
        return try await write("create mailbox") { tx in
            try await tx.requireAccount(account)
            if let existing = try await tx.mailbox(account, named: name, lock: true) {
                guard existing.isNoSelect else { throw MailStoreError.mailboxExists }
                // A placeholder becomes a new, empty, selectable incarnation.
                let validity = Int64(try await tx.nextUIDValidity(account))
                try await tx.rows("DELETE FROM expunged WHERE mailbox_id = \(existing.id)")
                guard
                    let row = try await tx.row(
                        """
                        UPDATE mailboxes SET noselect = false, uidvalidity = \(validity), uidnext = 1,
                            highestmodseq = 1, first_recent_uid = 1, special_use = \(specialUse?.rawValue)
                        WHERE id = \(existing.id) RETURNING \(unescaped: PGMailbox.columns)
                        """)
                else { throw MailStoreError.mailboxNotFound }
                tx.changed.insert(existing.id)
                return try PGMailbox(row: row).info
            }
            do {
                try await tx.createMissingAncestors(account, of: name)
                return try await tx.insertMailbox(account, name: name, specialUse: specialUse).info
            } catch  where Self.isUniqueViolation(error) {
                // Another node created it since the check above.
                throw MailStoreError.mailboxExists
            }
        }
    }

    public func deleteMailbox(account: AccountID, name: String) async throws {
        let name = try MailboxPath.validated(name)
        if MailboxPath.isInbox(name) { throw MailStoreError.cannotDeleteInbox }
        try await write("delete mailbox") { tx in
            guard let mailbox = try await tx.mailbox(account, named: name, lock: true) else {
                throw MailStoreError.mailboxNotFound
            }
            if try await tx.hasChildren(account, name) {
                if mailbox.isNoSelect { throw MailStoreError.noSelect }
                try await tx.rows("DELETE FROM messages WHERE mailbox_id = \(mailbox.id)")
                try await tx.rows("DELETE FROM expunged WHERE mailbox_id = \(mailbox.id)")
                try await tx.rows("UPDATE mailboxes SET noselect = true, special_use = NULL WHERE id = \(mailbox.id)")
                try await tx.rows("DELETE FROM metadata WHERE account_id = \(account) AND mailbox_id = \(mailbox.id)")
            } else {
                try await tx.rows("DELETE FROM metadata WHERE account_id = \(account) AND mailbox_id = \(mailbox.id)")
                try await tx.rows("DELETE FROM mailboxes WHERE id = \(mailbox.id)")
                tx.changed.formUnion(try await tx.removeEmptyPlaceholders(account, above: name))
            }
            tx.changed.insert(mailbox.id)
        }
    }

    public func renameMailbox(account: AccountID, from: String, to: String) async throws {
        let from = try MailboxPath.validated(from)
        let to = try MailboxPath.validated(to)
        try await write("rename mailbox") { tx in
            guard let source = try await tx.mailbox(account, named: from, lock: true) else {
                throw MailStoreError.mailboxNotFound
            }
            if MailboxPath.isInbox(to) || from == to { throw MailStoreError.mailboxExists }
            if try await tx.mailbox(account, named: to) != nil { throw MailStoreError.mailboxExists }
            if source.name == MailboxPath.inbox {
                try await tx.createMissingAncestors(account, of: to)
                let target = try await tx.insertMailbox(account, name: to, specialUse: nil)
                try await moveAllMessages(tx, from: source, to: target)
                tx.changed.formUnion([source.id, target.id])
                return
            }
            if MailboxPath.isInside(to, ancestor: from) {
                throw MailStoreError.invalidMailboxName("cannot rename a mailbox into itself")
            }
            let family = try await tx.rows(
                """
                SELECT id, name FROM mailboxes WHERE account_id = \(account)
                AND (name = \(from) OR starts_with(name, \(from + "/"))) ORDER BY name COLLATE "C" FOR NO KEY UPDATE
                """
            ).map { try $0.decode((Int64, String).self) }
            var renames: [(id: MailboxID, old: String, new: String)] = []
            for (id, name) in family {
                let newName = to + String(decoding: name.utf8.dropFirst(from.utf8.count), as: UTF8.self)
                try MailboxPath.validate(newName)
                if try await tx.mailbox(account, named: newName) != nil { throw MailStoreError.mailboxExists }
                renames.append((id, name, newName))
            }
            try await tx.createMissingAncestors(account, of: to)
            for rename in renames {
                try await tx.rows("UPDATE mailboxes SET name = \(rename.new) WHERE id = \(rename.id)")
                let subscribed = try await tx.rows(
                    "DELETE FROM subscriptions WHERE account_id = \(account) AND name = \(rename.old) RETURNING 1")
                if !subscribed.isEmpty {
                    try await tx.rows(
                        """
                        INSERT INTO subscriptions (account_id, name) VALUES (\(account), \(rename.new))
                        ON CONFLICT DO NOTHING
                        """)
                }
            }
            tx.changed.formUnion(renames.map(\.id))
            tx.changed.formUnion(try await tx.removeEmptyPlaceholders(account, above: from))
        }
    }

    public func setSubscribed(account: AccountID, name: String, subscribed: Bool) async throws {
        let name = try MailboxPath.validated(name)
        try await write("subscribe") { tx in
            try await tx.requireAccount(account)
            if subscribed {
                try await tx.rows(
                    "INSERT INTO subscriptions (account_id, name) VALUES (\(account), \(name)) ON CONFLICT DO NOTHING")
            } else {
                try await tx.rows("DELETE FROM subscriptions WHERE account_id = \(account) AND name = \(name)")
            }
        }
    }

    public func subscriptions(account: AccountID) async throws -> [String] {
        try await query(
            "list subscriptions",
            "SELECT name FROM subscriptions WHERE account_id = \(account) ORDER BY name COLLATE \"C\""
        ).map { try $0.decode(String.self) }
    }

    /// RENAME INBOX (RFC 9051 §6.3.6): every message moves to `target` with new UIDs (ascending in the
    /// old order, SAVEDATE now, as for MOVE) and leaves a tombstone in INBOX, whose UIDVALIDITY and
    /// UIDNEXT stay.
    private func moveAllMessages(_ tx: Transaction, from source: PGMailbox, to target: PGMailbox) async throws {
        let uids = try await tx.rows("SELECT uid FROM messages WHERE mailbox_id = \(source.id) ORDER BY uid").map {
            try $0.decode(Int64.self)
        }
        guard !uids.isEmpty else { return }
        _ = try await tx.insertCopies(from: source.id, uids: uids, into: target)
        try await tx.removeMessages(source.id, uids: uids, modSeq: source.highestModSeq + 1)
    }
}
