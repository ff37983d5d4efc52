import Foundation
import MailStore
import MailStoreConformance
import MailStoreMemory
import MailStoreSQLite
import Testing

/// The engines the conformance suite runs on. Another engine joins by adding a case and its factory.
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case memory

    var testDescription: String { rawValue }

    /// Runs `body` on a fresh, empty store of this engine, discarded afterwards.
    func withStore(_ body: (any MailStore & AccountStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            try await withTemporaryDirectory { url in
                try await body(try SQLiteMailStore(dataDirectory: url))
            }
        case .memory:
            try await body(try MemoryMailStore())
        }
    }
}
