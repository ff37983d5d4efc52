import MailStore

/// METADATA entries (see `MetadataStore`), forwarded.
extension FailingStore {
    func metadata(account: AccountID, target: MetadataTarget) async throws -> [MetadataEntry] {
        try check("metadata")
        return try await inner.metadata(account: account, target: target)
    }

    func setMetadata(account: AccountID, target: MetadataTarget, changes: [MetadataChange]) async throws {
        try check("setMetadata")
        try await inner.setMetadata(account: account, target: target, changes: changes)
    }
}
