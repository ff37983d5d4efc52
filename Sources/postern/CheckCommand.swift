import ArgumentParser
import Foundation
import Logging
import MailStoreSQLite

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a data folder (server stopped or running); --repair fixes what is safe to fix.",
        discussion: """
            Checks the database's integrity, that every message file is present with the size the \
            database records, files no message references (only with the server stopped), UIDNEXT and \
            HIGHESTMODSEQ against every UID and MODSEQ, and the usage counters quotas use. --repair moves \
            unreferenced files into lost+found/ (never deletes them), rebuilds the counters and expunges \
            messages whose file is missing; a file of the wrong size or a damaged database needs a backup. \
            Exit status: 0 when nothing is wrong (after the repair), 1 when problems remain, 2 for bad input.
            """)
    @Flag(help: "Fix what can be fixed safely, and say what was done.") var repair = false
    @OptionGroup var location: StoreLocationOptions

    func run() async throws {
        let data = try location.embeddedDataFolder(command: "check")
        var logger = Logger(label: "postern")
        logger.logLevel = .warning
        let remaining = try await maintenance { () async throws -> CheckReport in
            guard FileManager.default.fileExists(atPath: data.appendingPathComponent("postern.sqlite").path) else {
                throw MaintenanceError.input("\(data.path) is not a Postern data folder (no postern.sqlite)")
            }
            let lock = try MaintenanceLock(dataDirectory: data, preferExclusive: true)
            let report = try StoreCheck.run(dataDirectory: data, lock: lock)
            Self.print(report, heading: "check of \(data.path)")
            guard repair, !report.findings.isEmpty else { return report }
            for action in try await StoreRepair.run(dataDirectory: data, report: report, lock: lock, logger: logger) {
                Swift.print("repair: \(action)")
            }
            let after = try StoreCheck.run(dataDirectory: data, lock: lock)
            Self.print(after, heading: "after repair")
            return after
        }
        if !remaining.findings.isEmpty { throw ExitCode(1) }
    }

    static func print(_ report: CheckReport, heading: String) {
        let state = report.serverStopped ? "server stopped" : "store in use (server running)"
        Swift.print(
            "\(heading) (\(state)): \(report.mailboxes) mailboxes, \(report.messages) messages, "
                + "\(report.contentFiles) message files (\(report.contentBytes) bytes)")
        for kind in CheckFinding.Kind.allCases {
            let found = report.findings.filter { $0.kind == kind }
            for finding in found.prefix(StoreCheck.maxListedPerKind) { Swift.print("problem: \(finding.text)") }
            if found.count > StoreCheck.maxListedPerKind {
                Swift.print(
                    "problem: ... and \(found.count - StoreCheck.maxListedPerKind) more of kind \(kind.rawValue)")
            }
        }
        for note in report.notes { Swift.print("note: \(note)") }
        Swift.print(report.findings.isEmpty ? "no problems found" : "\(report.findings.count) problem(s) found")
    }
}
