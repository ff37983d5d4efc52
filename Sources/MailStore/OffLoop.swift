import Dispatch

/// Runs blocking work (fsync, renames, reading or parsing a whole message) on a dispatch queue, not on
/// the caller's thread: a session task runs on its connection's event loop, which other connections
/// share, and the store's callers are such tasks.
public func offLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}

/// Hands a value that is not Sendable to `offLoop` work: the caller gives it up for the duration (it
/// is used by one side at a time).
public final class Handover<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
