import Synchronization

/// Numbers the connections of every listener, for the `session` field of their log lines: all the
/// lines of one connection share it, and no two connections of one server run have the same.
enum SessionIDs {
    private static let last = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        last.add(1, ordering: .relaxed).newValue
    }
}
