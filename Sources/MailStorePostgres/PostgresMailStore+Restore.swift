import Foundation
import MailStore
import PostgresNIO

/// A mailbox as another store holds it, to be made again here with the same UIDVALIDITY, UIDNEXT and
/// HIGHESTMODSEQ (`restoreMailbox`).
public struct RestoredMailbox: Sendable {
    public var name: String
    public var uidValidity: UIDValidity
    public var uidNext: UID
    public var highestModSeq: ModSeq
    public var specialUse: SpecialUse?
    public var isNoSelect: Bool

    public init(_ info: MailboxInfo) {
        name = info.name
        uidValidity = info.uidValidity
        uidNext = info.uidNext
        highestModSeq = info.highestModSeq
        specialUse = info.specialUse
        isNoSelect = info.isNoSelect
    }
}

/// A message as another store holds it, with its UID, MODSEQ, flags and dates (`restoreMessages`).
public struct RestoredMessage: Sendable {
    public var meta: MessageMeta
    public var message: StagedMessage
    public var structure: MessageStructure?

    public init(meta: MessageMeta, message: StagedMessage, structure: MessageStructure?) {
        self.meta = meta
        self.message = message
        self.structure = structure
    }
}

/// Moving another store's accounts into this one (`postern store copy`): unlike the `MailStore` calls,
/// these keep what a client has cached — UIDVALIDITY, UIDs, MODSEQs, flags, dates — and the account's
/// password verifier and app passwords as they are. They are meant for a target no node serves yet.
extension PostgresMailStore {
    /// Creates an account with the given verifier and creation time and no mailboxes (they come with
    /// `restoreMailbox`). An existing name is `.accountExists`.
    public func restoreAccount(name: String, credentials: StoredCredentials, created: Date) async throws -> AccountID {
        try AccountName.validate(name)
        return try await write("restore account") { tx in
            if try await tx.accountID(named: name) != nil { throw MailStoreError.accountExists }
            guard
                let id = try await tx.row(
                    """
                    INSERT INTO accounts (name, salt, iterations, stored_key, server_key, created)
                    VALUES (\(name), \(PGBytes.buffer(credentials.salt)), \(credentials.iterations),
                        \(PGBytes.buffer(credentials.storedKey)), \(PGBytes.buffer(credentials.serverKey)),
                        \(created.stored))
                    RETURNING id
                    """)?.decode(Int64.self)
            else { throw MailStoreError.internal("account insert returned nothing") }
            return id
        }
    }

    /// Adds app passwords with their verifiers and creation times as they are.
    public func restoreAppPasswords(account: AccountID, _ passwords: [AppPassword]) async throws {
        try await write("restore app passwords") { tx in
            try await tx.requireAccount(account)
            for app in passwords {
                try await tx.rows(
                    """
                    INSERT INTO app_passwords (account_id, label, stored_key, server_key, created)
                    VALUES (\(account), \(app.label), \(PGBytes.buffer(app.storedKey)),
                        \(PGBytes.buffer(app.serverKey)), \(app.created.stored))
                    """)
            }
        }
    }

    /// Records import keys as they are (so that an import run again after the move skips what it
    /// brought before).
    public func restoreImportKeys(account: AccountID, _ keys: [String]) async throws {
        try await write("restore import keys") { tx in
            try await tx.requireAccount(account)
            try await tx.rows(
                """
                INSERT INTO import_keys (account_id, key) SELECT \(account), unnest(\(keys)::text[])
                ON CONFLICT DO NOTHING
                """)
        }
    }

    /// Creates a mailbox with the UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ given (no message is recent).
    /// The store's UIDVALIDITY counter moves past the value, so that no mailbox made later gets it.
    public func restoreMailbox(account: AccountID, _ mailbox: RestoredMailbox) async throws -> MailboxID {
        try MailboxPath.validate(mailbox.name)
        return try await write("restore mailbox") { tx in
            try await tx.requireAccount(account)
            if try await tx.mailbox(account, named: mailbox.name) != nil { throw MailStoreError.mailboxExists }
            try await tx.rows(
                """
                UPDATE store_state SET last_uidvalidity = greatest(last_uidvalidity, \(Int64(mailbox.uidValidity)))
                """)
            guard
                let id = try await tx.row(
                    """
                    INSERT INTO mailboxes (account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid,
                        special_use, noselect)
                    VALUES (\(account), \(mailbox.name), \(Int64(mailbox.uidValidity)), \(Int64(mailbox.uidNext)),
                        \(Int64(mailbox.highestModSeq)), \(Int64(mailbox.uidNext)), \(mailbox.specialUse?.rawValue),
                        \(mailbox.isNoSelect))
                    RETURNING id
                    """)?.decode(Int64.self)
            else { throw MailStoreError.internal("mailbox insert returned nothing") }
            return id
        }
    }

    /// Adds messages with their UIDs, MODSEQs, flags and dates, in one transaction; each text is stored
    /// once (shared with equal texts already stored). The mailbox's UIDNEXT and HIGHESTMODSEQ move past
    /// them when needed. The staged files are removed whatever happens.
    public func restoreMessages(account: AccountID, mailbox: MailboxID, _ messages: [RestoredMessage]) async throws {
        let staged = messages.map(\.message)
        defer { for message in staged { message.discard() } }
        guard !messages.isEmpty else { return }
        let hashes = try await offLoop { try staged.map(PostgresContent.hash) }
        try await write("restore messages") { tx in
            let box = try await tx.selectable(account, mailbox, lock: true)
            var uidNext = Int64(box.uidNext)
            var highest = Int64(box.highestModSeq)
            for (index, restored) in messages.enumerated() {
                let meta = restored.meta
                let content = try await PostgresContent.store(tx, restored.message, hash: hashes[index])
                let flags = PGFlags.stored(meta.flags)
                guard
                    let emailID = try await tx.row(
                        """
                        INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, internal_date, internal_zone,
                            save_date, size, content_id, email_id)
                        VALUES (\(mailbox), \(Int64(meta.uid)), \(Int64(meta.modSeq)), \(PGFlags.system(flags)),
                            \(PGFlags.keywords(flags)), \(meta.internalDate.stored), \(Int32(meta.internalDateZone)),
                            \(meta.saveDate.stored), \(Int64(restored.message.size)), \(content), nextval('email_ids'))
                        RETURNING email_id
                        """)?.decode(Int64.self)
                else { throw MailStoreError.internal("message insert returned nothing") }
                if let structure = restored.structure {
                    try await PostgresContent.setStructure(tx, emailID: emailID, structure)
                }
                uidNext = max(uidNext, Int64(meta.uid) + 1)
                highest = max(highest, Int64(meta.modSeq))
            }
            try await tx.rows(
                "UPDATE mailboxes SET uidnext = \(uidNext), highestmodseq = \(highest) WHERE id = \(mailbox)")
            tx.changed.insert(mailbox)
        }
    }
}
