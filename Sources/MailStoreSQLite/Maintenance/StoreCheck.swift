import Foundation
import GRDB
import MailStore

/// One thing `postern check` found wrong in a data folder.
public struct CheckFinding: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `PRAGMA integrity_check` or `foreign_key_check` complained.
        case integrity
        /// A message's content file is gone.
        case missingContent
        /// A content file's size is not the size the database stores for it.
        case wrongSize
        /// A content file no message references (server stopped).
        case orphan
        /// UIDNEXT not above every UID (live or expunged), or a UID of 0.
        case uidNext
        /// HIGHESTMODSEQ below a message's or tombstone's MODSEQ, or a MODSEQ of 0.
        case highestModSeq
        /// A UIDVALIDITY above the largest the store records as given.
        case uidValidity
        /// A UID both live and expunged.
        case liveAndExpunged
        /// A mailbox's usage counters differ from its messages (quota).
        case usage
        /// Parse results of content no message references.
        case unreferencedParseResults
    }

    public var kind: Kind
    public var text: String
    var mailbox: MailboxID?
    var uid: Int64?
    var blob: String?
}

/// The outcome of a check.
public struct CheckReport: Sendable {
    public var findings: [CheckFinding] = []
    /// Facts worth saying that are not problems (e.g. what a running server keeps from being judged).
    public var notes: [String] = []
    /// Whether the check ran with the data folder's lock exclusive (no server or tool had it open).
    public var serverStopped = false
    public var mailboxes = 0
    public var messages = 0
    public var contentFiles = 0
    public var contentBytes = 0
}

/// Checks a data folder of the embedded engine (see `CheckFinding.Kind` for what it looks at).
///
/// With the server running, the database is read in one snapshot and the files compared with it; a
/// referenced file found missing is only reported when a second read, after the file was looked for,
/// still references it (a file is unlinked only after the commit that freed it, so a file referenced
/// before and after the look was referenced throughout and should have been there). Files nobody
/// references are only judged with the server stopped: while it runs they may be messages being
/// appended (placed before their commit) or content kept for sessions not yet told of an expunge.
public enum StoreCheck {
    /// Content files listed in a report's text one by one; more are counted.
    public static let maxListedPerKind = 50

    public static func run(dataDirectory: URL, lock: MaintenanceLock) throws -> CheckReport {
        let folder = try DataFolder(dataDirectory)
        var report = CheckReport()
        report.serverStopped = lock.isExclusive
        let onDisk = Set(folder.blobs.allIDs())
        var snapshot = try CheckSnapshot.withDatabase(folder) { queue in try queue.read(CheckSnapshot.read) }
        report.mailboxes = snapshot.mailboxes.count
        report.messages = snapshot.content.values.reduce(0) { $0 + $1.count }
        report.contentFiles = snapshot.content.count
        for line in snapshot.integrity {
            report.findings.append(CheckFinding(kind: .integrity, text: "database: \(line)"))
        }
        try checkContent(folder, &snapshot, &report)
        let orphans = onDisk.subtracting(snapshot.content.keys).sorted()
        if lock.isExclusive {
            for id in orphans {
                report.findings.append(
                    CheckFinding(kind: .orphan, text: "content file \(id): no message references it", blob: id))
            }
        } else if !orphans.isEmpty {
            report.notes.append(
                "\(orphans.count) content files not referenced now (appends in progress or content kept for "
                    + "sessions; judged only with the server stopped)")
        }
        checkMailboxes(snapshot, &report)
        if snapshot.unreferencedParseResults > 0 {
            report.findings.append(
                CheckFinding(
                    kind: .unreferencedParseResults,
                    text: "\(snapshot.unreferencedParseResults) parse results of content no message references"))
        }
        return report
    }

    private static func checkContent(
        _ folder: DataFolder, _ snapshot: inout CheckSnapshot, _ report: inout CheckReport
    )
        throws
    {
        var missing: [String] = []
        for (blob, messages) in snapshot.content {
            guard let size = FileOperations.regularFileSize(folder.blobs.path(of: blob)) else {
                missing.append(blob)
                continue
            }
            report.contentBytes += size
            if let expected = messages.first?.size, expected != size {
                report.findings.append(
                    CheckFinding(
                        kind: .wrongSize,
                        text: "content file \(blob): \(size) bytes, the database says \(expected)", blob: blob))
            }
        }
        if !missing.isEmpty {
            let still = try CheckSnapshot.withDatabase(folder) { queue in
                try queue.read { db in try CheckSnapshot.stillReferenced(db, missing) }
            }
            missing = missing.filter { still.contains($0) }
        }
        let labels = Dictionary(snapshot.mailboxes.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        for blob in missing.sorted() {
            for message in snapshot.content[blob] ?? [] {
                report.findings.append(
                    CheckFinding(
                        kind: .missingContent,
                        text:
                            "\(labels[message.mailbox] ?? "mailbox \(message.mailbox)") UID \(message.uid): "
                            + "content file \(blob) is missing",
                        mailbox: message.mailbox, uid: message.uid, blob: blob))
            }
        }
    }

    private static func checkMailboxes(_ snapshot: CheckSnapshot, _ report: inout CheckReport) {
        func add(_ kind: CheckFinding.Kind, _ box: CheckSnapshot.Mailbox, _ text: String) {
            report.findings.append(CheckFinding(kind: kind, text: "\(box.label): \(text)", mailbox: box.id))
        }
        let maxValidity = snapshot.mailboxes.map(\.uidValidity).max() ?? 0
        if maxValidity > snapshot.lastUIDValidity {
            report.findings.append(
                CheckFinding(
                    kind: .uidValidity,
                    text:
                        "store: largest UIDVALIDITY given is recorded as \(snapshot.lastUIDValidity), "
                        + "a mailbox has \(maxValidity)"))
        }
        for box in snapshot.mailboxes {
            let highestUID = max(box.maxUID, box.maxExpungedUID)
            if box.uidNext <= highestUID {
                add(.uidNext, box, "UIDNEXT \(box.uidNext) is not above UID \(highestUID)")
            }
            if box.messages > 0 && box.minUID < 1 { add(.uidNext, box, "a message has UID \(box.minUID)") }
            let highestModSeq = max(box.maxModSeq, box.maxExpungedModSeq)
            if box.highestModSeq < highestModSeq {
                add(.highestModSeq, box, "HIGHESTMODSEQ \(box.highestModSeq) is below MODSEQ \(highestModSeq)")
            }
            if box.messages > 0 && box.minModSeq < 1 {
                add(.highestModSeq, box, "a message has MODSEQ \(box.minModSeq)")
            }
            if box.usedMessages != box.messages || box.usedBytes != box.bytes {
                add(
                    .usage, box,
                    "usage recorded as \(box.usedMessages) messages / \(box.usedBytes) bytes, "
                        + "the messages add up to \(box.messages) / \(box.bytes)")
            }
        }
        let labels = Dictionary(snapshot.mailboxes.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        for (mailbox, uid) in snapshot.bothLiveAndExpunged {
            report.findings.append(
                CheckFinding(
                    kind: .liveAndExpunged,
                    text: "\(labels[mailbox] ?? "mailbox \(mailbox)") UID \(uid): both a message and expunged",
                    mailbox: mailbox, uid: uid))
        }
    }
}
