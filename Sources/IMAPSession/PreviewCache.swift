import Synchronization

/// PREVIEW texts (RFC 8970) computed once and kept, by EMAILID: the content's identity, so copies and
/// moved messages share an entry, and an entry never goes stale (a message's content never changes).
/// Shared by every session of the process; bounded by `maxEntries`.
final class PreviewCache: Sendable {
    /// At most this many previews (each at most `MessagePreview.maxLength` characters: a few MB).
    static let maxEntries = 20_000

    static let shared = PreviewCache()

    private let entries = Mutex<[String: String]>([:])

    var count: Int { entries.withLock { $0.count } }

    /// The kept preview of `emailID`, or `make()`'s, kept. When full, the cache starts again empty
    /// (cheaper than an LRU, and the previews of a mailbox being read come back at once).
    func preview(for emailID: String, make: () -> String) -> String {
        if let kept = entries.withLock({ $0[emailID] }) { return kept }
        let made = make()
        entries.withLock { entries in
            if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[emailID] = made
        }
        return made
    }
}
