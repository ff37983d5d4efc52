import Foundation
import GRDB
import MailStore

extension SQLiteMailStore: WritabilityProbe {
    /// Takes the database's write lock in an empty transaction (through the group-commit writer, like
    /// every write), then creates, syncs and removes a file in the staging folder, where every new
    /// message is first written.
    public func probeWritable() async throws {
        try await write("health probe") { db, _ in
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
        }
        try await DurableFiles.probeWritable(directory: stagingDirectory)
    }
}
