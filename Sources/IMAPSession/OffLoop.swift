import Dispatch

/// Runs blocking work (fsync, reading a whole message, parsing a large one) on a dispatch queue, not
/// on the thread the session runs on: a session task runs on its connection's event loop, which other
/// connections share.
func offLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}

/// Hands a value that is not Sendable to `offLoop` work: the caller gives it up for the duration (it
/// is used by one side at a time).
final class Handover<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
