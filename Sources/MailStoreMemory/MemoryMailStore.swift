import Foundation
import MailStore
import Synchronization

/// A complete engine that keeps everything in memory: for tests, and as the reference against which
/// the conformance suite holds every other engine. It behaves as the SQLite engine does, except that
/// nothing outlives the object (the "durably committed" invariant holds for the process's life only).
///
/// All state sits behind one `Mutex`: each call reads or changes it in a single critical section, so
/// every call is atomic and sessions may call concurrently. Changes are published on `changeHub`
/// after the lock is released ("commit first, then publish"). Message content is kept once and shared
/// by the copies of a message. Incoming messages are staged in a private temporary directory (removed
/// with the store); `append` reads a staged file into memory and removes it.
public final class MemoryMailStore: MailStore, AccountStore {
    public let changeHub = ChangeHub()
    public let stagingDirectory: URL
    private let state = Mutex(MemoryState())

    /// Creates an empty store with its own staging directory.
    public init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "postern-memory-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailStoreError.internal("cannot create the staging directory: \(error)")
        }
        stagingDirectory = directory
    }

    deinit {
        try? FileManager.default.removeItem(at: stagingDirectory)
    }

    /// Runs `body` on the state under the lock, then wakes the watchers of the mailboxes it reports
    /// as changed.
    func change<T: Sendable>(_ body: (inout MemoryState, inout Set<MailboxID>) throws -> T) throws -> T {
        var changed: Set<MailboxID> = []
        let result = try state.withLock { state in try body(&state, &changed) }
        for mailbox in changed { changeHub.publish(mailbox: mailbox) }
        return result
    }

    /// Runs `body` on the state under the lock, without changing it.
    func read<T: Sendable>(_ body: (borrowing MemoryState) throws -> T) throws -> T {
        try state.withLock { state in try body(state) }
    }
}

extension MemoryMailStore {
    public func stageMessage(maxSize: Int) throws -> StagedMessageWriter {
        try MessageStaging(directory: stagingDirectory, maxSize: maxSize).begin()
    }
}
