import Crypto
import Foundation
import MailStore
import MailStorePostgres

/// Copies every account of one store into a PostgreSQL store, keeping what clients cache (UIDVALIDITY,
/// UIDs, MODSEQs, flags), then checks the copy against the source (`StoreVerifier`).
struct StoreCopier {
    let source: any MailStore & AccountStore
    let target: PostgresMailStore

    /// Messages are copied in batches of this many messages or bytes, whichever comes first (one
    /// transaction each).
    static let batchMessages = 64
    static let batchBytes = 32 << 20

    struct Totals {
        var accounts = 0
        var mailboxes = 0
        var messages = 0
        var bytes = 0
    }

    func run(allowNonEmpty: Bool) async throws {
        let accounts = try await source.listAccounts().sorted { $0.name < $1.name }
        let existing = try await target.listAccounts()
        if !existing.isEmpty {
            guard allowNonEmpty else {
                throw CommandFailure(
                    message: "the target already has \(existing.count) account(s): copy into an empty database "
                        + "(or schema=), or give --allow-non-empty")
            }
            let names = Set(existing.map { $0.name.lowercased() })
            if let clash = accounts.first(where: { names.contains($0.name.lowercased()) }) {
                throw CommandFailure(message: "the target already has an account named '\(clash.name)'")
            }
        }
        let started = Date()
        var totals = Totals()
        for (index, account) in accounts.enumerated() {
            note("account \(account.name) (\(index + 1) of \(accounts.count))")
            try await copy(account, &totals)
        }
        note("verifying")
        let verifier = StoreVerifier(source: source, target: target)
        var problems: [String] = []
        for account in accounts { problems += try await verifier.check(account.name) }
        if !problems.isEmpty {
            for problem in problems.prefix(50) { printError("differs: \(problem)") }
            throw CommandFailure(message: "the copy differs from the source in \(problems.count) place(s)", status: 1)
        }
        print(
            "copied \(totals.accounts) accounts, \(totals.mailboxes) mailboxes, \(totals.messages) messages "
                + "(\(TransferProgress.megabytes(totals.bytes)) MB) in "
                + String(format: "%.1f s", Date().timeIntervalSince(started)) + "; verified")
    }

    private func note(_ line: String) {
        FileHandle.standardError.write(Data("postern: store copy: \(line)\n".utf8))
    }

    private func copy(_ summary: AccountSummary, _ totals: inout Totals) async throws {
        guard let (from, credentials) = try await source.credentials(accountName: summary.name) else {
            throw MailStoreError.accountNotFound
        }
        let to = try await target.restoreAccount(name: summary.name, credentials: credentials, created: summary.created)
        try await target.restoreAppPasswords(account: to, try await source.appPasswords(account: from))
        let quota = try await source.quota(account: from)
        if !quota.isDefault { try await target.setQuota(account: to, limits: quota.limits) }
        for script in try await source.sieveScripts(account: from) {
            guard let text = try await source.sieveScript(account: from, name: script.name) else { continue }
            try await target.putSieveScript(account: to, name: script.name, source: text, maxScripts: Int.max)
            if script.isActive { try await target.setActiveSieveScript(account: to, name: script.name) }
        }
        try await target.restoreImportKeys(account: to, Array(try await source.importedKeys(account: from, prefix: "")))
        try await copyMetadata(from: (from, .server), to: (to, .server))
        for info in try await source.listMailboxes(account: from).sorted(by: { $0.name < $1.name }) {
            let mailbox = try await target.restoreMailbox(account: to, RestoredMailbox(info))
            totals.mailboxes += 1
            guard !info.isNoSelect else { continue }
            try await copyMetadata(from: (from, .mailbox(info.id)), to: (to, .mailbox(mailbox)))
            let (messages, bytes) = try await copyMessages(from: (from, info.id), to: (to, mailbox))
            note("  \(info.name): \(messages) messages")
            totals.messages += messages
            totals.bytes += bytes
        }
        for name in try await source.subscriptions(account: from) {
            try await target.setSubscribed(account: to, name: name, subscribed: true)
        }
        totals.accounts += 1
    }

    /// Copies the METADATA entries of the server or of one mailbox (RFC 5464).
    private func copyMetadata(
        from: (AccountID, MetadataTarget), to: (AccountID, MetadataTarget)
    ) async throws {
        let entries = try await source.metadata(account: from.0, target: from.1)
        guard !entries.isEmpty else { return }
        try await target.setMetadata(
            account: to.0, target: to.1, changes: entries.map { MetadataChange(name: $0.name, value: $0.value) })
    }

    /// Copies a mailbox's messages in batches; returns how many and their bytes.
    private func copyMessages(
        from: (AccountID, MailboxID), to: (AccountID, MailboxID)
    ) async throws -> (Int, Int) {
        let metas = try await source.messages(account: from.0, mailbox: from.1, uids: UIDSet(ranges: [1...UID.max]))
        let progress = TransferProgress(totalMessages: metas.count, totalBytes: metas.reduce(0) { $0 + $1.size })
        defer { progress.clear() }
        var start = 0
        while start < metas.count {
            var end = start
            var bytes = 0
            while end < metas.count, end - start < Self.batchMessages, bytes < Self.batchBytes {
                bytes += metas[end].size
                end += 1
            }
            let batch = Array(metas[start..<end])
            let uids = UIDSet(batch.map(\.uid))
            let structures = try await source.structures(account: from.0, mailbox: from.1, uids: uids)
            var restored: [RestoredMessage] = []
            do {
                for meta in batch {
                    guard let content = try await source.openContent(account: from.0, mailbox: from.1, uid: meta.uid)
                    else { continue }
                    restored.append(
                        RestoredMessage(meta: meta, message: try stage(content), structure: structures[meta.uid]))
                }
            } catch {
                for message in restored { message.message.discard() }
                throw error
            }
            try await target.restoreMessages(account: to.0, mailbox: to.1, restored)
            progress.advance(messages: batch.count, bytes: bytes)
            start = end
        }
        return (metas.count, progress.bytes)
    }

    private func stage(_ content: MessageContent) throws -> StagedMessage {
        let writer = try target.stageMessage(maxSize: Int.max)
        do {
            while true {
                let piece = try content.read(upTo: 1 << 20)
                if piece.isEmpty { break }
                try writer.write(piece)
            }
            return try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }
}
