import Foundation
import Testing

@testable import MailStoreSQLite

/// The backup manifest's format: what is written parses back, and every malformed form is refused
/// with its own message.
@Suite struct BackupManifestTests {
    let hash = String(repeating: "ab", count: 32)

    func parse(_ text: String) throws -> BackupManifest {
        try BackupManifest.parse(Array(text.utf8))
    }

    func refusal(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as MaintenanceError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    @Test func roundTrip() throws {
        let manifest = BackupManifest(entries: [
            .init(path: "postern.sqlite", size: 4096, sha256: hash),
            .init(path: "blobs/0a/0a1b", size: 0, sha256: hash),
        ])
        #expect(try BackupManifest.parse(manifest.encoded()) == manifest)
        #expect(try parse("postern-backup 1\nend 0\n").entries.isEmpty)
    }

    @Test(arguments: [
        ("", "does not start"),
        ("postern-backup 1\nend 0", "cut short"),
        ("postern-backup 2\nend 0\n", "does not start"),
        ("postern-backup 1\n", "no 'end' line"),
        ("postern-backup 1\nend 1\n", "count does not match"),
        ("postern-backup 1\nend x\n", "count does not match"),
        ("postern-backup 1\nend 0\nend 0\n", "'end' before the last line"),
        ("postern-backup 1\nfile x 1 a\nend 1\n", "bad SHA-256"),
        ("postern-backup 1\nfile \(String(repeating: "AB", count: 32)) 1 a\nend 1\n", "bad SHA-256"),
        ("postern-backup 1\nfile \(String(repeating: "ab", count: 32)) -1 a\nend 1\n", "bad size"),
        ("postern-backup 1\nfile \(String(repeating: "ab", count: 32)) 123456789012345678901 a\nend 1\n", "bad size"),
        ("postern-backup 1\nfile \(String(repeating: "ab", count: 32)) 1 ../a\nend 1\n", "bad path"),
        ("postern-backup 1\nfile \(String(repeating: "ab", count: 32)) 1 /etc/passwd\nend 1\n", "bad path"),
        ("postern-backup 1\nfile \(String(repeating: "ab", count: 32)) 1 a//b\nend 1\n", "bad path"),
        ("postern-backup 1\nfile \(String(repeating: "ab", count: 32)) 1 a b\nend 1\n", "expected 'file"),
        ("postern-backup 1\nnope\nend 1\n", "expected 'file"),
    ])
    func malformed(text: String, expected: String) {
        let message = refusal(text)
        #expect(message?.contains(expected) == true, "\(text.debugDescription): \(message ?? "accepted")")
    }

    @Test func notUTF8() {
        #expect(throws: MaintenanceError.input("manifest is not UTF-8")) {
            try BackupManifest.parse([0x70, 0xff, 0x0a])
        }
    }

    @Test func longestLine() {
        let path = String(repeating: "p", count: BackupManifest.maxLineLength)
        let message = refusal("postern-backup 1\nfile \(hash) 1 \(path)\nend 1\n")
        #expect(message?.contains("longer than \(BackupManifest.maxLineLength)") == true)
        let fits = String(repeating: "p", count: BackupManifest.maxLineLength - 64 - 9)
        #expect(refusal("postern-backup 1\nfile \(hash) 1 \(fits)\nend 1\n") == nil)
    }

    @Test func safePaths() {
        #expect(BackupManifest.isSafeRelativePath("blobs/ab/ab12"))
        for bad in ["", "/a", "a/", "./a", "a/../b", ".."] {
            #expect(!BackupManifest.isSafeRelativePath(bad), "\(bad)")
        }
    }
}
