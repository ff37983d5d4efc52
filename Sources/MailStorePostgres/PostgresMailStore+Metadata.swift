import Foundation
import MailStore
import NIOCore
import PostgresNIO

/// METADATA entries (see `MetadataStore`): rows of `metadata`, mailbox_id 0 for the server. A writer
/// locks the account row first, so that concurrent writers of one account count one after the other.
extension PostgresMailStore {
    public func metadata(account: AccountID, target: MetadataTarget) async throws -> [MetadataEntry] {
        try await read("read metadata") { tx in
            let mailbox = try await Self.metadataMailbox(tx, account: account, target: target, lock: false)
            return try await tx.rows(
                """
                SELECT name, value FROM metadata WHERE account_id = \(account) AND mailbox_id = \(mailbox)
                ORDER BY name COLLATE "C"
                """
            ).map {
                let (name, value) = try $0.decode((String, ByteBuffer).self)
                return MetadataEntry(name: name, value: Array(value.readableBytesView))
            }
        }
    }

    public func setMetadata(account: AccountID, target: MetadataTarget, changes: [MetadataChange]) async throws {
        try await write("set metadata") { tx in
            let mailbox = try await Self.metadataMailbox(tx, account: account, target: target, lock: true)
            let existing = try await tx.rows(
                "SELECT name FROM metadata WHERE account_id = \(account) AND mailbox_id = \(mailbox)"
            ).map { try $0.decode(String.self) }
            let total =
                try await tx.row("SELECT count(*) FROM metadata WHERE account_id = \(account)")?.decode(Int64.self) ?? 0
            _ = try MetadataLimits.check(changes, existing: Set(existing), accountCount: Int(total))
            for change in changes {
                if let value = change.value {
                    try await tx.rows(
                        """
                        INSERT INTO metadata (account_id, mailbox_id, name, value)
                        VALUES (\(account), \(mailbox), \(change.name), \(PGBytes.buffer(value)))
                        ON CONFLICT (account_id, mailbox_id, name) DO UPDATE SET value = EXCLUDED.value
                        """)
                } else {
                    try await tx.rows(
                        """
                        DELETE FROM metadata
                        WHERE account_id = \(account) AND mailbox_id = \(mailbox) AND name = \(change.name)
                        """)
                }
            }
        }
    }

    /// The `mailbox_id` of `target`'s rows (0 for the server), after checking the account (locking its
    /// row when `lock`) and the mailbox.
    private static func metadataMailbox(
        _ tx: Transaction, account: AccountID, target: MetadataTarget, lock: Bool
    ) async throws -> Int64 {
        let accountRow = try await tx.row(
            "SELECT 1 FROM accounts WHERE id = \(account) \(unescaped: lock ? "FOR NO KEY UPDATE" : "")")
        guard accountRow != nil else { throw MailStoreError.accountNotFound }
        switch target {
        case .server: return 0
        case .mailbox(let id): return try await tx.selectable(account, id).id
        }
    }
}
