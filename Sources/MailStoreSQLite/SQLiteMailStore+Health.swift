import Foundation
import GRDB
import MailStore

extension SQLiteMailStore {
    /// For a readiness check: takes the database's write lock in an empty transaction (through the
    /// group-commit writer, like every write), then creates, syncs and removes a file in the staging
    /// folder, where every new message is first written. Throws what failed.
    public func probeWritable() async throws {
        try await write("health probe") { db, _ in
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
        }
        let directory = stagingDirectory
        try await offLoop {
            let url = directory.appendingPathComponent("health-\(UUID().uuidString).probe")
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw MailStoreError.internal("cannot create a file in \(directory.path)")
                }
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                try handle.write(contentsOf: Data("probe\n".utf8))
                try handle.synchronize()
            } catch let error as MailStoreError {
                throw error
            } catch {
                throw MailStoreError.internal("cannot write a file in \(directory.path): \(error)")
            }
        }
    }
}
