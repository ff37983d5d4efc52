import Foundation
import IMAPClient
import MailStore

/// What one folder needs: found by EXAMINE and `UID FETCH 1:* (UID RFC822.SIZE)` before anything is copied.
struct FolderPlan {
    var folder: RemoteFolder
    var mailbox: MailboxInfo
    var uidValidity: UInt32
    /// The start of this folder's import ledger keys (see `Migration.keyPrefix`).
    var keyPrefix: String
    /// The source's UIDs when planned, ascending.
    var sourceUIDs: [UInt32]
    /// UIDs not copied yet and their sizes, ascending.
    var newMessages: [(uid: UInt32, size: Int)]
    /// The state of the previous runs for this folder incarnation; nil when it is copied afresh.
    var previous: MigrationLog.Folder?

    var newBytes: Int { newMessages.reduce(0) { $0 + $1.size } }
}

extension Migration {
    /// EXAMINE (RFC 9051 §6.3.3; with CONDSTORE, RFC 7162 §3.1.8): UIDVALIDITY, HIGHESTMODSEQ, EXISTS.
    func examine(_ folder: RemoteFolder) async throws -> (uidValidity: UInt32, highestModSeq: UInt64?, exists: UInt32) {
        let condstore = connection.has("CONDSTORE")
        var (uidValidity, highestModSeq, exists): (UInt32, UInt64?, UInt32) = (0, nil, 0)
        let name = try FolderMapping.quoted(folder.wireName)
        try await connection.command("EXAMINE \(name)\(condstore ? " (CONDSTORE)" : "")", label: "EXAMINE") {
            switch $0 {
            case .condition(_, .uidValidity(let value), _): uidValidity = value
            case .condition(_, .highestModSeq(let value), _): highestModSeq = value
            case .exists(let count): exists = count
            default: break
            }
        }
        return (uidValidity, highestModSeq, exists)
    }

    /// What a folder needs. The messages already copied are those the import ledger has a key for
    /// (copied by an earlier run, even one interrupted before it could write its state record, and
    /// even if deleted here since: they are not brought back).
    func plan(_ folder: RemoteFolder, into mailbox: MailboxInfo) async throws -> FolderPlan {
        let (uidValidity, _, exists) = try await examine(folder)
        var previous = log.folders[folder.name]
        if let old = previous, old.uidValidity != uidValidity {
            warn("folder \(folder.name): its UIDVALIDITY changed at the source: copying it afresh")
            previous = nil
        } else if let old = previous, old.destination != mailbox.name || old.destinationValidity != mailbox.uidValidity
        {
            // The Postern mailbox was made anew: the copies recorded are gone, their flags are not followed.
            previous = nil
        }
        let prefix = keyPrefix(folder: folder.name, uidValidity: uidValidity)
        let copied = Set(
            try await store.importedKeys(account: account, prefix: prefix).compactMap {
                UInt32($0.dropFirst(prefix.count))
            })
        var sizes: [(uid: UInt32, size: Int)] = []
        if exists > 0 {
            try await connection.command("UID FETCH 1:* (UID RFC822.SIZE)") {
                if case .fetch(_, let data) = $0, let uid = data.uid { sizes.append((uid, data.size ?? 0)) }
            }
        }
        sizes.sort { $0.uid < $1.uid }
        return FolderPlan(
            folder: folder, mailbox: mailbox, uidValidity: uidValidity, keyPrefix: prefix, sourceUIDs: sizes.map(\.uid),
            newMessages: sizes.filter { !copied.contains($0.uid) }, previous: previous)
    }

    /// Brings flag changes over, copies the new messages in batches, records the HIGHESTMODSEQ read at
    /// the start, and checks every planned source message has its copy.
    func copy(_ plan: FolderPlan) async throws {
        let (uidValidity, highestModSeq, _) = try await examine(plan.folder)
        guard uidValidity == plan.uidValidity else {
            warn("folder \(plan.folder.name): UIDVALIDITY changed during the run; run again")
            return
        }
        if let previous = plan.previous { try await updateFlags(plan, previous: previous) }
        try await copyMessages(plan)
        try log.append(record(plan, copies: nil, highestModSeq: highestModSeq))
        try await verify(plan)
    }

    func record(_ plan: FolderPlan, copies: [[UInt32]]?, highestModSeq: UInt64?) -> MigrationLog.Record {
        MigrationLog.Record(
            folder: plan.folder.name, uidValidity: plan.uidValidity, destination: plan.mailbox.name,
            destinationValidity: plan.mailbox.uidValidity, copies: copies, highestModSeq: highestModSeq)
    }

    /// Flags of messages copied before that changed at the source since (RFC 7162 §3.1.4.1, UID FETCH
    /// with CHANGEDSINCE): the copy gets the source's flags. Without CONDSTORE nothing is done.
    func updateFlags(_ plan: FolderPlan, previous: MigrationLog.Folder) async throws {
        guard connection.has("CONDSTORE"), let since = previous.highestModSeq, !previous.copies.isEmpty else { return }
        var changed: [MessageFlags: [UID]] = [:]
        try await connection.command("UID FETCH 1:\(previous.lastUID) (UID FLAGS) (CHANGEDSINCE \(since))") {
            guard case .fetch(_, let data) = $0, let uid = data.uid, let flags = data.flags,
                let destination = previous.copies[uid]
            else { return }
            changed[MessageFlags(names: flags), default: []].append(destination)
        }
        for (flags, uids) in changed {
            let (updated, _) = try await store.store(
                account: account, mailbox: plan.mailbox.id, uids: UIDSet(uids), operation: .replace, flags: flags,
                unchangedSince: nil)
            totals.flagUpdates += updated.count
        }
    }

    /// Every source message of the plan has its copy in its Postern mailbox (a table line otherwise).
    /// A message recorded as copied whose copy this state does not know (a run stopped between its
    /// commit and its state record) counts as there.
    func verify(_ plan: FolderPlan) async throws {
        let copies = log.folders[plan.folder.name]?.copies ?? [:]
        let recorded = try await store.importedKeys(account: account, prefix: plan.keyPrefix)
        let destinationUIDs = plan.sourceUIDs.compactMap { copies[$0] }
        let present = try await store.messages(
            account: account, mailbox: plan.mailbox.id, uids: UIDSet(destinationUIDs)
        ).count
        let unknown = plan.sourceUIDs.filter { copies[$0] == nil && recorded.contains(plan.keyPrefix + String($0)) }
        if present + unknown.count != plan.sourceUIDs.count {
            mismatches.append(
                Mismatch(folder: plan.folder.name, source: plan.sourceUIDs.count, destination: present + unknown.count))
        }
    }
}
