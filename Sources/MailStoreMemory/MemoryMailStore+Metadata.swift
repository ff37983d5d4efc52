import MailStore

/// METADATA entries (see `MetadataStore`), kept with their account; a mailbox's go when it is removed
/// or becomes a placeholder.
extension MemoryMailStore {
    public func metadata(account: AccountID, target: MetadataTarget) async throws -> [MetadataEntry] {
        try read { state in
            try state.requireAccount(account)
            if case .mailbox(let id) = target { _ = try state.selectable(account, id) }
            return (state.accounts[account]?.metadata[target] ?? [:])
                .map { MetadataEntry(name: $0.key, value: $0.value) }
                .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        }
    }

    public func setMetadata(account: AccountID, target: MetadataTarget, changes: [MetadataChange]) async throws {
        try change { state, _ in
            try state.requireAccount(account)
            if case .mailbox(let id) = target { _ = try state.selectable(account, id) }
            guard var held = state.accounts[account] else { throw MailStoreError.accountNotFound }
            var entries = held.metadata[target] ?? [:]
            let total = held.metadata.values.reduce(0) { $0 + $1.count }
            _ = try MetadataLimits.check(changes, existing: Set(entries.keys), accountCount: total)
            for change in changes { entries[change.name] = change.value }
            held.metadata[target] = entries.isEmpty ? nil : entries
            state.accounts[account] = held
        }
    }
}
