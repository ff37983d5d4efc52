import Foundation
import IMAPClient
import MailStore
import Testing

@testable import postern

@Suite struct FolderMappingTests {
    @Test func namesAndLevels() {
        #expect(FolderMapping.destinationName(decoded: "INBOX", delimiter: UInt8(ascii: "/")) == "INBOX")
        #expect(FolderMapping.destinationName(decoded: "inbox", delimiter: nil) == "INBOX")
        #expect(
            FolderMapping.destinationName(decoded: "Work/Projects", delimiter: UInt8(ascii: "/")) == "Work/Projects")
        #expect(
            FolderMapping.destinationName(decoded: "Work.Projects", delimiter: UInt8(ascii: ".")) == "Work/Projects")
        #expect(FolderMapping.destinationName(decoded: "INBOX.a/b", delimiter: UInt8(ascii: ".")) == "INBOX/a_b")
        #expect(FolderMapping.destinationName(decoded: "Inbox.Sent", delimiter: UInt8(ascii: ".")) == "INBOX/Sent")
    }

    @Test func personalNamespacePrefix() {
        let prefix = Array("INBOX.".utf8)
        func destination(_ name: String) -> String {
            FolderMapping.folder(
                ListEntry(attributes: [], delimiter: UInt8(ascii: "."), name: Array(name.utf8)), personalPrefix: prefix
            ).destination
        }
        #expect(destination("INBOX") == "INBOX")
        #expect(destination("INBOX.Sent") == "Sent")
        #expect(destination("INBOX.Work.Entw&APw-rfe") == "Work/Entwürfe")
        #expect(destination("Other.Folder") == "Other/Folder")
        let full = FolderMapping.folder(
            ListEntry(attributes: [], delimiter: UInt8(ascii: "."), name: Array("INBOX.Sent".utf8)),
            personalPrefix: prefix)
        #expect(full.name == "INBOX.Sent")
    }

    @Test func modifiedUTF7() {
        #expect(FolderMapping.decodedName(Array("&AOkA6A-t&AOk-".utf8)) == "éèté")
        #expect(FolderMapping.decodedName(Array("a&-b".utf8)) == "a&b")
        // Not valid modified UTF-7: taken as it is.
        #expect(FolderMapping.decodedName(Array("&&&".utf8)) == "&&&")
    }

    @Test func rolesAndSelectability() {
        let sent = FolderMapping.folder(
            ListEntry(attributes: ["\\HasNoChildren", "\\sent"], delimiter: 0x2E, name: Array("Sent Items".utf8)))
        #expect(sent.specialUse == .sent && sent.selectable && sent.destination == "Sent Items")
        let parent = FolderMapping.folder(ListEntry(attributes: ["\\Noselect"], delimiter: 0x2F, name: Array("a".utf8)))
        #expect(!parent.selectable && parent.specialUse == nil)
        let gone = FolderMapping.folder(
            ListEntry(attributes: ["\\NonExistent"], delimiter: 0x2F, name: Array("b".utf8)))
        #expect(!gone.selectable)
    }

    @Test func quotedNames() throws {
        #expect(try FolderMapping.quoted(Array("a \"b\" \\c".utf8)) == "\"a \\\"b\\\" \\\\c\"")
        #expect(throws: IMAPClientError.self) { _ = try FolderMapping.quoted(Array("caf\u{E9}".utf8)) }
        #expect(throws: IMAPClientError.self) { _ = try FolderMapping.quoted([0x61, 0x0A]) }
    }

    @Test func flags() {
        let flags = MessageFlags(names: [
            "\\Seen", "\\RECENT", "\\answered", "\\Flagged", "\\Deleted", "\\Draft",
            "$Label1", "Project_X", "\\Unknown",
        ])
        #expect(flags.system == [.seen, .answered, .flagged, .deleted, .draft])
        #expect(flags.keywords == ["$Label1", "Project_X"])
        #expect(MessageFlags(names: []).isEmpty)
    }
}

@Suite struct MigrationLogTests {
    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("migration-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func record(
        _ folder: String, validity: UInt32, copies: [[UInt32]]? = nil, modSeq: UInt64? = nil
    )
        -> MigrationLog.Record
    {
        MigrationLog.Record(
            folder: folder, uidValidity: validity, destination: folder, destinationValidity: 7, copies: copies,
            highestModSeq: modSeq)
    }

    @Test func replaysWhatWasAppended() throws {
        let data = try directory()
        defer { try? FileManager.default.removeItem(at: data) }
        var log = try MigrationLog(dataDirectory: data, account: "alice", source: "imaps://me@host:993")
        try log.append(record("INBOX", validity: 5, copies: [[1, 10], [2, 11]]))
        try log.append(record("INBOX", validity: 5, copies: [[4, 12]]))
        try log.append(record("INBOX", validity: 5, modSeq: 99))
        try log.append(record("Old", validity: 1, copies: [[1, 1]]))
        try log.append(record("Old", validity: 2, copies: [[3, 2]]))
        let again = try MigrationLog(dataDirectory: data, account: "alice", source: "imaps://me@host:993")
        #expect(again.folders == log.folders)
        #expect(again.folders["INBOX"]?.copies == [1: 10, 2: 11, 4: 12])
        #expect(again.folders["INBOX"]?.lastUID == 4 && again.folders["INBOX"]?.highestModSeq == 99)
        // A new UIDVALIDITY starts the folder afresh.
        #expect(
            again.folders["Old"]
                == MigrationLog.Folder(uidValidity: 2, destination: "Old", destinationValidity: 7, copies: [3: 2]))
        let other = try MigrationLog(dataDirectory: data, account: "alice", source: "imaps://me@other:993")
        #expect(other.folders.isEmpty)
    }

    @Test func aTornLastLineIsIgnored() throws {
        let data = try directory()
        defer { try? FileManager.default.removeItem(at: data) }
        var log = try MigrationLog(dataDirectory: data, account: "bob", source: "imap://x@y:143")
        try log.append(record("INBOX", validity: 5, copies: [[1, 1]]))
        let handle = try FileHandle(forWritingTo: log.url)
        handle.seekToEndOfFile()
        handle.write(Data("{\"folder\":\"INBOX\",\"uidVal".utf8))
        try handle.close()
        var again = try MigrationLog(dataDirectory: data, account: "bob", source: "imap://x@y:143")
        #expect(again.folders["INBOX"]?.copies == [1: 1])
        try again.append(record("INBOX", validity: 5, copies: [[2, 2]]))
        let third = try MigrationLog(dataDirectory: data, account: "bob", source: "imap://x@y:143")
        #expect(third.folders["INBOX"]?.copies == [1: 1, 2: 2])
    }

    @Test func fileNamesAreSafe() {
        #expect(MigrationLog.fileName("imaps://a/b@h:993") == "imaps___a_b@h_993.jsonl")
        #expect(MigrationLog.fileName("imaps://é@[::1]:993") == "imaps____@___1__993.jsonl")
        #expect(MigrationLog.fileName(String(repeating: "x", count: 500)).count == 206)
    }
}
