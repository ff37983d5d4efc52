import Crypto
import Foundation
import IMAPSession
import MailStore
import MailTransfer

/// Moves the messages of an import source into an account, exactly once: each message's import key
/// (`import:` and a SHA-256 of the source kind, the target folder and the message's identity in the
/// source) is recorded with it in the store's import ledger, so a run after an interruption skips
/// what is there. Messages are staged and parsed here, off any event loop, and appended in batches
/// (one transaction each); the next batch is prepared while the last one commits.
struct Importer {
    struct Source {
        var kind: String
        var folders: [SourceFolder]
        var subscriptions: [String]
        var problems: [String]
    }

    struct Summary: Sendable {
        var imported = 0
        var skipped = 0
        var failed = 0
        var folders = 0
        var bytes = 0
        var seconds = 0.0

        var line: String {
            let rate = Double(imported) / max(seconds, 0.001)
            let megabytes = Double(bytes) / 1_000_000
            return "imported \(imported), skipped \(skipped) (already there), failed \(failed), folders \(folders), "
                + String(
                    format: "%.1f MB in %.1f s (%.0f messages/s, %.1f MB/s)", megabytes, seconds, rate,
                    megabytes / max(seconds, 0.001))
        }
    }

    /// A batch is appended when it has this many messages or bytes (one transaction, one fsync).
    static let batchMessages = 256
    static let batchBytes = 32 << 20
    static let keyPrefix = "import:"
    /// Messages staged and parsed at once (parsing is CPU, staging ends with an fsync).
    static let stagingWidth = max(2, ProcessInfo.processInfo.activeProcessorCount)

    let store: any MailStore
    let account: AccountID
    /// The folder the source's root goes to (INBOX unless --folder).
    let target: String
    let kind: String
    let maxSize: Int

    /// A valid mailbox name for --folder, or a one-line failure.
    static func targetName(_ name: String) throws -> String {
        do {
            return try MailboxPath.validated(name)
        } catch MailStoreError.invalidMailboxName(let why) {
            throw CommandFailure(message: "--folder '\(name)': \(why)")
        }
    }

    /// The Postern name of a source folder.
    func mailboxName(_ relative: String) -> String {
        if relative.isEmpty { return target }
        return target == MailboxPath.inbox ? relative : target + String(MailboxPath.separator) + relative
    }

    func key(folder: String, identity: String) -> String {
        let digest = SHA256.hash(data: Data("\(kind)\u{0}\(folder)\u{0}\(identity)".utf8))
        return Self.keyPrefix + digest.map { String(format: "%02x", $0) }.joined()
    }

    func run(_ source: Source) async throws -> Summary {
        for problem in source.problems { printError("skipped \(problem)") }
        let total = source.folders.reduce(0) { $0 + $1.messages.count }
        let totalBytes = source.folders.reduce(0) { $0 + $1.messages.reduce(0) { $0 + $1.size } }
        let progress = TransferProgress(totalMessages: total, totalBytes: totalBytes)
        var summary = Summary()
        var known = try await store.importedKeys(account: account, prefix: Self.keyPrefix)
        var pending: Task<[AppendResult?], Error>?
        /// Waits for the batch being appended and counts its outcome.
        func settle() async throws {
            guard let task = pending else { return }
            pending = nil
            do {
                let results = try await task.value
                let appended = results.filter { $0 != nil }.count
                summary.imported += appended
                summary.skipped += results.count - appended
            } catch MailStoreError.overQuota {
                progress.clear()
                summary.seconds = progress.seconds
                print(summary.line)
                throw CommandFailure(
                    message: "over quota: the account is full after \(summary.imported) messages of this import "
                        + "(raise its quota and run the import again: what is imported stays, nothing is duplicated)",
                    status: 1)
            }
        }
        for folder in source.folders {
            let name = mailboxName(folder.name)
            guard let mailbox = try await ensureMailbox(name) else {
                progress.clear()
                printError("skipped folder '\(name)': \(folder.messages.count) messages (not a valid mailbox name)")
                summary.failed += folder.messages.count
                continue
            }
            summary.folders += 1
            var work: [(message: SourceMessage, key: String)] = []
            var workBytes = 0
            /// Stages the collected messages (several at once), then hands them to the store once the
            /// batch before has committed.
            func flush() async throws {
                guard !work.isEmpty else { return }
                var batch: [StagedAppend] = []
                for (message, outcome) in await prepare(work) {
                    switch outcome {
                    case .success(let staged):
                        batch.append(staged)
                        summary.bytes += staged.message.size
                    case .failure(let error):
                        progress.clear()
                        printError("skipped \(Self.describe(error, message))")
                        summary.failed += 1
                    }
                    progress.advance(bytes: message.size)
                }
                work = []
                workBytes = 0
                do {
                    try await settle()
                } catch {
                    // Stopped (over quota): what was staged for the next batch goes.
                    for staged in batch { staged.message.discard() }
                    throw error
                }
                if !batch.isEmpty { pending = append(batch, to: mailbox) }
            }
            for message in folder.messages {
                let key = key(folder: name, identity: message.identity)
                guard known.insert(key).inserted else {
                    summary.skipped += 1
                    progress.advance(bytes: message.size)
                    continue
                }
                work.append((message, key))
                workBytes += message.size
                if work.count >= Self.batchMessages || workBytes >= Self.batchBytes { try await flush() }
            }
            try await flush()
            // A folder's last batch commits before the next folder begins.
            try await settle()
        }
        try await settle()
        try await subscribe(source.subscriptions)
        progress.clear()
        summary.seconds = progress.seconds
        return summary
    }

    private func append(_ batch: [StagedAppend], to mailbox: MailboxID) -> Task<[AppendResult?], Error> {
        let store = self.store
        let account = self.account
        return Task { try await store.appendOnce(account: account, mailbox: mailbox, messages: batch) }
    }

    /// Stages and parses messages, `Self.stagingWidth` at a time; outcomes in the order given.
    private func prepare(
        _ work: [(message: SourceMessage, key: String)]
    ) async -> [(SourceMessage, Result<StagedAppend, Error>)] {
        var outcomes = [Result<StagedAppend, Error>?](repeating: nil, count: work.count)
        await withTaskGroup(of: (Int, Result<StagedAppend, Error>).self) { group in
            var next = 0
            func start() {
                let index = next
                let (message, key) = work[index]
                group.addTask { (index, Result { try stage(message, key: key) }) }
                next += 1
            }
            while next < min(Self.stagingWidth, work.count) { start() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                if next < work.count { start() }
            }
        }
        return zip(work, outcomes).map { ($0.message, $1 ?? .failure(MailStoreError.internal("not staged"))) }
    }

    /// Reads, stages (fsynced) and parses one message.
    private func stage(_ message: SourceMessage, key: String) throws -> StagedAppend {
        let bytes = try message.content(maxSize: maxSize)
        let writer = try store.stageMessage(maxSize: maxSize)
        do {
            try writer.write(bytes)
            let staged = try writer.finish()
            return StagedAppend(
                message: staged, flags: message.flags, internalDate: message.internalDate,
                structure: IMAPSession.storedStructure(ofFileAt: staged.url), importKey: key)
        } catch {
            writer.abort()
            throw error
        }
    }

    static func describe(_ error: Error, _ message: SourceMessage) -> String {
        switch error {
        case let error as TransferError: return error.description
        case MailStoreError.messageTooLarge: return "\(message.location): larger than the append limit"
        default: return "\(message.location): \(error)"
        }
    }

    /// The mailbox, made (with its parents) when missing; nil when the name cannot be a mailbox.
    private func ensureMailbox(_ name: String) async throws -> MailboxID? {
        if let info = try await store.mailbox(account: account, name: name), !info.isNoSelect { return info.id }
        do {
            return try await store.createMailbox(account: account, name: name, specialUse: nil).id
        } catch MailStoreError.invalidMailboxName {
            return nil
        } catch MailStoreError.mailboxExists {
            return try await store.mailbox(account: account, name: name)?.id
        }
    }

    private func subscribe(_ names: [String]) async throws {
        for relative in names {
            do {
                try await store.setSubscribed(account: account, name: mailboxName(relative), subscribed: true)
            } catch MailStoreError.invalidMailboxName(let why) {
                printError("subscription '\(relative)' not kept: \(why)")
            }
        }
    }
}
