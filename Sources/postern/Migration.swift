import Crypto
import Foundation
import IMAPClient
import MailStore

/// Copies a source IMAP account into a Postern account: folders (with roles), subscriptions,
/// messages with flags, keywords and internal dates; incremental when run again (see README, "From
/// another IMAP server").
final class Migration {
    /// Most messages fetched by one UID FETCH and appended in one store transaction.
    static let batchMessages = 100
    /// Most message bytes fetched by one UID FETCH (a batch stops early to stay within it).
    static let batchBytes = 16 << 20
    /// Largest message copied; a larger one is skipped with a warning.
    static let maxMessageSize = ClientLimits.default.maxLiteral

    struct Totals {
        var folders = 0
        var foldersCreated = 0
        var messagesCopied = 0
        var bytesCopied = 0
        var flagUpdates = 0
        var subscriptions = 0
        var skipped = 0
    }

    /// A folder whose copies at the destination do not match the source.
    struct Mismatch {
        var folder: String
        var source: Int
        var destination: Int
    }

    let connection: IMAPConnection
    let store: any MailStore
    let account: AccountID
    var log: MigrationLog
    /// Made once the folders are planned and the totals known.
    var progress: TransferProgress?
    let started = Date()
    var totals = Totals()
    var mismatches: [Mismatch] = []
    /// Folders left out, with the reason.
    var failedFolders: [(name: String, reason: String)] = []
    var warnings: [String] = []

    init(
        connection: IMAPConnection, store: any MailStore, account: AccountID, log: MigrationLog
    ) {
        self.connection = connection
        self.store = store
        self.account = account
        self.log = log
    }

    func warn(_ message: String) {
        warnings.append(message)
        progress?.clear()
        printError("warning: \(message)")
    }

    /// Everything: folders, then the messages of each, then subscriptions.
    func run() async throws {
        let (folders, subscribed) = try await listFolders()
        var plans: [FolderPlan] = []
        var placed: [String: String] = [:]
        for folder in folders where folder.selectable {
            guard let mailbox = try await destinationMailbox(for: folder) else { continue }
            placed[folder.destination] = mailbox.name
            try await skippingFailure(of: folder) { plans.append(try await plan(folder, into: mailbox)) }
        }
        totals.folders = plans.count
        progress = TransferProgress(
            totalMessages: plans.reduce(0) { $0 + $1.newMessages.count },
            totalBytes: plans.reduce(0) { $0 + $1.newBytes })
        for plan in plans { try await skippingFailure(of: plan.folder) { try await copy(plan) } }
        for name in subscribed.map({ placed[$0] ?? $0 }) {
            guard (try? await store.mailbox(account: account, name: name)) != nil else { continue }
            try await store.setSubscribed(account: account, name: name, subscribed: true)
            totals.subscriptions += 1
        }
        progress?.clear()
    }

    /// The start of the import ledger keys (see `MailStore`, "Import ledger") of a source folder
    /// incarnation: a SHA-256 of the server, login, folder and UIDVALIDITY; each message's key is
    /// this and its UID. A new UIDVALIDITY makes new keys: the folder is copied afresh.
    func keyPrefix(folder: String, uidValidity: UInt32) -> String {
        let endpoint = connection.endpoint
        let source =
            "\(endpoint.host.lowercased())\u{0}\(endpoint.port)\u{0}\(endpoint.login)\u{0}\(folder)\u{0}\(uidValidity)"
        let digest = SHA256.hash(data: Data(source.utf8))
        return "imap:" + digest.map { String(format: "%02x", $0) }.joined() + ":"
    }

    /// Runs `body`; a command the server refuses for this folder (NO or BAD), or a folder name that
    /// cannot be sent, leaves the folder out with a warning (and the exit status says so) instead of
    /// ending the whole migration.
    func skippingFailure(of folder: RemoteFolder, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as IMAPClientError {
            switch error {
            case .failed, .unsendable:
                warn("folder \(folder.name) not copied: \(error)")
                failedFolders.append((folder.name, "\(error)"))
            default: throw error
            }
        }
    }

    /// NAMESPACE (RFC 2342), LIST "" "*" (RFC 9051 §6.3.9) and LSUB "" "*" (RFC 3501 §6.3.9): the
    /// folders, parents first, and the Postern names of the subscribed ones.
    func listFolders() async throws -> ([RemoteFolder], [String]) {
        var prefix: [UInt8] = []
        if connection.has("NAMESPACE") {
            try await connection.command("NAMESPACE") { response in
                if case .namespace(let personal?, _) = response { prefix = personal }
            }
        }
        var folders: [RemoteFolder] = []
        // RFC 6154 §5.1: a server with SPECIAL-USE returns the roles when asked, maybe only then.
        let list = connection.has("SPECIAL-USE") ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)" : "LIST \"\" \"*\""
        try await connection.command(list, label: "LIST") { response in
            if case .list(let entry) = response { folders.append(FolderMapping.folder(entry, personalPrefix: prefix)) }
        }
        var subscribed: [String] = []
        try await connection.command("LSUB \"\" \"*\"") { response in
            if case .lsub(let entry) = response {
                subscribed.append(FolderMapping.folder(entry, personalPrefix: prefix).destination)
            }
        }
        folders.sort { $0.destination.count < $1.destination.count }
        return (folders, subscribed)
    }

    /// The Postern mailbox for a source folder: the one of the same name; else, for a folder with a
    /// role (\Sent, \Drafts...), the account's mailbox with that role; else a new one.
    func destinationMailbox(for folder: RemoteFolder) async throws -> MailboxInfo? {
        do {
            _ = try MailboxPath.validated(folder.destination)
        } catch {
            warn("folder \(folder.name) not copied: \(error)")
            failedFolders.append((folder.name, "\(error)"))
            return nil
        }
        if let existing = try await store.mailbox(account: account, name: folder.destination), !existing.isNoSelect {
            return existing
        }
        let all = try await store.listMailboxes(account: account)
        if let use = folder.specialUse, let existing = all.first(where: { $0.specialUse == use && !$0.isNoSelect }) {
            return existing
        }
        let created = try await store.createMailbox(
            account: account, name: folder.destination, specialUse: folder.specialUse)
        totals.foldersCreated += 1
        return created
    }
}
