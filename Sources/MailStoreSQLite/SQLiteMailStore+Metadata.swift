import Foundation
import GRDB
import MailStore

/// METADATA entries (see `MetadataStore`): rows of `metadata`, mailbox_id 0 for the server.
extension SQLiteMailStore {
    public func metadata(account: AccountID, target: MetadataTarget) async throws -> [MetadataEntry] {
        try await read("read metadata") { db in
            let mailbox = try Self.metadataMailbox(db, account: account, target: target)
            return try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT name, value FROM metadata WHERE account_id = ? AND mailbox_id = ? ORDER BY name"),
                arguments: [account, mailbox]
            ).map { MetadataEntry(name: $0[0], value: [UInt8]($0[1] as Data)) }
        }
    }

    public func setMetadata(account: AccountID, target: MetadataTarget, changes: [MetadataChange]) async throws {
        try await write("set metadata") { db, _ in
            let mailbox = try Self.metadataMailbox(db, account: account, target: target)
            let existing = try String.fetchSet(
                db.cachedStatement(sql: "SELECT name FROM metadata WHERE account_id = ? AND mailbox_id = ?"),
                arguments: [account, mailbox])
            let total =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM metadata WHERE account_id = ?"), arguments: [account]
                ) ?? 0
            _ = try MetadataLimits.check(changes, existing: existing, accountCount: total)
            for change in changes {
                if let value = change.value {
                    try db.cachedStatement(
                        sql: "INSERT OR REPLACE INTO metadata (account_id, mailbox_id, name, value) VALUES (?, ?, ?, ?)"
                    ).execute(arguments: [account, mailbox, change.name, Data(value)])
                } else {
                    try db.cachedStatement(
                        sql: "DELETE FROM metadata WHERE account_id = ? AND mailbox_id = ? AND name = ?"
                    ).execute(arguments: [account, mailbox, change.name])
                }
            }
        }
    }

    /// The `mailbox_id` of `target`'s rows (0 for the server), after checking the account and mailbox.
    private static func metadataMailbox(_ db: Database, account: AccountID, target: MetadataTarget) throws -> Int64 {
        switch target {
        case .server:
            try requireAccount(db, account)
            return 0
        case .mailbox(let id):
            try requireAccount(db, account)
            return try selectableMailbox(db, account: account, id: id).id
        }
    }
}
