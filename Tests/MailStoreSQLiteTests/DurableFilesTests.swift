import Foundation
import MailStore
import MailStoreConformance
import Testing

@testable import MailStoreSQLite

/// Files written outside the database (certificate, key, first-start marker) and the store-wide
/// UIDVALIDITY counter that schema v6 adds.
@Suite struct DurableFilesTests {
    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func writeAtomicallyCreatesAndReplacesWithTheGivenMode() async throws {
        try await withTemporaryDirectory { url in
            let file = url.appendingPathComponent("key.pem")
            try DurableFiles.writeAtomically(Array("first".utf8), to: file, mode: 0o600)
            #expect(try String(contentsOf: file, encoding: .utf8) == "first")
            #expect(try mode(file.path) == 0o600)
            try DurableFiles.writeAtomically(Array("second".utf8), to: file, mode: 0o644)
            #expect(try String(contentsOf: file, encoding: .utf8) == "second")
            #expect(try mode(file.path) == 0o644)
            try DurableFiles.writeAtomically([], to: file, mode: 0o600)
            #expect(try Data(contentsOf: file).isEmpty)
            // Nothing is left beside it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: url.path) == ["key.pem"])
        }
    }

    @Test func writeAtomicallyIntoAMissingFolderFailsWithAnError() async throws {
        try await withTemporaryDirectory { url in
            let file = url.appendingPathComponent("missing/key.pem")
            #expect(throws: MailStoreError.self) {
                try DurableFiles.writeAtomically(Array("x".utf8), to: file, mode: 0o600)
            }
        }
    }

    @Test func makeDirectoryMakesEveryMissingLevelPrivate() async throws {
        try await withTemporaryDirectory { url in
            let deep = url.appendingPathComponent("a/b/c")
            try DurableFiles.makeDirectory(deep)
            for path in ["a", "a/b", "a/b/c"] {
                #expect(try mode(url.appendingPathComponent(path).path) == 0o700)
            }
            try DurableFiles.makeDirectory(deep)  // already there: fine
            let file = url.appendingPathComponent("a/file")
            try Data().write(to: file)
            #expect(throws: MailStoreError.self) { try DurableFiles.makeDirectory(file.appendingPathComponent("x")) }
        }
    }

    /// A database as release v5 left it: the store-wide UIDVALIDITY counter starts above every value
    /// any account or mailbox had.
    @Test func upgradeFromV5KeepsUIDValiditiesUnique() async throws {
        try await withTemporaryDirectory { url in
            let future: Int64 = 4_000_000_000
            try Schema.makeDatabase(
                path: url.appendingPathComponent("postern.sqlite").path, upTo: "v5",
                then: """
                    INSERT INTO accounts (id, name, salt, iterations, stored_key, server_key, created, last_uidvalidity)
                        VALUES (1, 'alice', x'00', 1, x'00', x'00', 1000, 5000);
                    INSERT INTO mailboxes (id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid)
                        VALUES (1, 1, 'INBOX', \(future), 1, 1, 1);
                    """)
            let store = try SQLiteMailStore(dataDirectory: url)
            let made = try await store.createMailbox(account: 1, name: "Later", specialUse: nil)
            #expect(Int64(made.uidValidity) == future + 1)
        }
    }
}
