import Foundation
import Logging
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `postern check --repair`: fixes what can be fixed without losing anything that might be wanted.
///
/// - Files nobody references (server stopped only) are moved into `<data>/lost+found/`, never deleted.
/// - Usage counters, UIDNEXT, HIGHESTMODSEQ and the store's last UIDVALIDITY are recomputed (only ever
///   raised, so no UID or MODSEQ is given twice), tombstones of live UIDs and parse results of content
///   nobody references dropped.
/// - A message whose content file is missing is expunged (clients see it go, like any expunge); each
///   one is said in `actions`.
/// - A content file of the wrong size and a database that fails its integrity check are only reported:
///   the remedy is a backup. With a damaged database nothing is repaired (what it references cannot
///   be trusted).
public enum StoreRepair {
    public static let lostAndFound = "lost+found"

    /// Runs the repairs for `report` (from `StoreCheck.run` with `lock`) and returns one line per action.
    /// Downgrades `lock` to shared before opening the store.
    public static func run(
        dataDirectory: URL, report: CheckReport, lock: MaintenanceLock, logger: Logger
    ) async throws -> [String] {
        var actions: [String] = []
        if report.findings.contains(where: { $0.kind == .integrity }) {
            return ["nothing repaired: the database fails its integrity check (restore it from a backup)"]
        }
        let orphans = report.findings.filter { $0.kind == .orphan }.compactMap(\.blob)
        if !orphans.isEmpty && lock.isExclusive {
            actions += try moveAside(orphans, dataDirectory: dataDirectory)
        }
        try lock.downgrade()
        let lost = report.findings.filter { $0.kind == .missingContent }
        let databaseKinds: Set<CheckFinding.Kind> = [
            .uidNext, .highestModSeq, .uidValidity, .liveAndExpunged, .usage, .unreferencedParseResults,
        ]
        let needsCounters = report.findings.contains { databaseKinds.contains($0.kind) }
        guard !lost.isEmpty || needsCounters else { return actions }
        let store: SQLiteMailStore
        do {
            store = try SQLiteMailStore(dataDirectory: dataDirectory, role: .tool, logger: logger)
        } catch {
            throw MaintenanceError.io("cannot open the store for repair: \(error)")
        }
        defer { store.close() }
        let byMailbox = Dictionary(grouping: lost, by: { $0.mailbox ?? 0 })
        for (mailbox, findings) in byMailbox.sorted(by: { $0.key < $1.key }) {
            let uids = findings.compactMap { $0.uid.map { UID(truncatingIfNeeded: $0) } }
            let expunged = Set(try await store.expungeLostMessages(mailbox: mailbox, uids: uids))
            for finding in findings where expunged.contains(UID(truncatingIfNeeded: finding.uid ?? 0)) {
                let line = "expunged \(finding.text)"
                logger.notice(
                    "check: expunged a message whose content file is missing", metadata: ["what": "\(finding.text)"])
                actions.append(line)
            }
        }
        if needsCounters {
            let rows = try await store.rebuildCounters()
            actions.append("rebuilt counters and sequence numbers (\(rows) rows changed)")
        }
        return actions
    }

    /// Moves content files into `<data>/lost+found/` (the same file system: a rename), durably.
    static func moveAside(_ ids: [String], dataDirectory: URL) throws -> [String] {
        let blobs = BlobFiles(root: dataDirectory.appendingPathComponent("blobs", isDirectory: true))
        let target = dataDirectory.appendingPathComponent(lostAndFound).path
        try FileOperations.makeDirectory(target)
        try FileOperations.syncDirectory(dataDirectory.path)
        var actions: [String] = []
        var shards: Set<String> = []
        for id in ids {
            var destination = "\(target)/\(id)"
            var attempt = 1
            while FileOperations.exists(destination) {
                attempt += 1
                destination = "\(target)/\(id).\(attempt)"
            }
            guard rename(blobs.path(of: id), destination) == 0 else {
                throw MaintenanceError.io("cannot move \(id) into \(lostAndFound): \(FileOperations.errnoText())")
            }
            shards.insert(String(id.prefix(2)))
            actions.append("moved unreferenced content file \(id) into \(lostAndFound)/")
        }
        try FileOperations.syncDirectory(target)
        for shard in shards.sorted() { try FileOperations.syncDirectory("\(blobs.root.path)/\(shard)") }
        return actions
    }
}
