import Foundation
import MailStore
import PostgresNIO

extension PostgresMailStore: WritabilityProbe {
    /// Runs a read-write transaction on a pooled connection and refuses a server in recovery (a standby
    /// takes no writes), then creates, syncs and removes a file in the local staging folder, where
    /// every incoming message is first written.
    public func probeWritable() async throws {
        let inRecovery = try await write("health probe") { tx in
            try await tx.row("SELECT pg_is_in_recovery()")?.decode(Bool.self) ?? true
        }
        if inRecovery { throw MailStoreError.internal("the database is in recovery and takes no writes") }
        try await DurableFiles.probeWritable(directory: stagingDirectory)
    }
}
