import ArgumentParser
import Foundation
import IMAPClient
import Testing

@testable import postern

@Suite struct MigrateOptionsTests {
    @Test func parsesItsOptions() throws {
        let command = try Migrate.parse([
            "alice", "--from", "imaps://me@example.org", "--ca-file", "ca.pem", "--password-file", "pw",
            "--data-dir", "d",
        ])
        #expect(command.user == "alice" && command.from == "imaps://me@example.org")
        #expect(command.caFile == "ca.pem" && command.passwordFile == "pw" && command.data.dataDir == "d")
    }

    @Test(arguments: [
        ["alice"], ["--from", "imaps://a@b"], ["alice", "--from"], ["alice", "--from", "x", "--bogus"],
    ])
    func refusesIncompleteCommandLines(_ arguments: [String]) {
        #expect(throws: (any Error).self) { _ = try Migrate.parse(arguments) }
    }

    func passwordFile(_ content: String) throws -> Migrate {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        try Data(content.utf8).write(to: url)
        return try Migrate.parse(["alice", "--from", "imaps://me@h", "--password-file", url.path])
    }

    @Test func passwordFileFirstLine() throws {
        let endpoint = try IMAPEndpoint(parsing: "imaps://me@h")
        for (content, expected) in [
            ("secret\n", "secret"), ("se cret\r\nsecond\n", "se cret"), ("no newline", "no newline"),
        ] {
            let command = try passwordFile(content)
            defer { try? FileManager.default.removeItem(atPath: command.passwordFile!) }
            #expect(try command.obtainPassword(for: endpoint) == expected)
        }
    }

    @Test func passwordFileErrorsNeverShowThePassword() throws {
        let endpoint = try IMAPEndpoint(parsing: "imaps://me@h")
        let empty = try passwordFile("\nafter")
        defer { try? FileManager.default.removeItem(atPath: empty.passwordFile!) }
        #expect(throws: CommandFailure.self) { _ = try empty.obtainPassword(for: endpoint) }
        let missing = try Migrate.parse(["alice", "--from", "imaps://me@h", "--password-file", "/nonexistent/pw"])
        do {
            _ = try missing.obtainPassword(for: endpoint)
            Issue.record("no error")
        } catch let failure as CommandFailure {
            #expect(failure.message == "--password-file /nonexistent/pw: cannot read it")
        }
    }
}
