import Foundation
import MailStore
import Testing

@testable import MailTransfer

@Suite struct MaildirWriterTests {
    @Test func directoryNames() {
        #expect(MaildirWriter.directoryName(of: "INBOX") == "")
        #expect(MaildirWriter.directoryName(of: "Work/Projects") == ".Work.Projects")
        #expect(MaildirWriter.directoryName(of: "Entwürfe") == ".Entw&APw-rfe")
        #expect(MaildirWriter.directoryName(of: "v1.2/a&b") == ".v1&AC4-2.a&-b")
    }

    @Test func writesWhatTheReaderReads() throws {
        try withTemporaryDirectory { base in
            let root = base.appendingPathComponent("out")
            let writer = try MaildirWriter(root: root)
            let folders: [(String, [(String, MessageFlags, Int)])] = [
                ("INBOX", [("Subject: 1\r\n\r\nx\r\n", MessageFlags(system: [.seen, .flagged]), 1_500_000_000)]),
                (
                    "Entwürfe/v1.2",
                    [
                        (
                            "Subject: 2\n\ny\n", MessageFlags(system: [.draft], keywords: ["$Forwarded", "Work"]),
                            1_400_000_000
                        ),
                        ("", MessageFlags(keywords: ["$Junk"]), 0),
                    ]
                ),
            ]
            for (name, messages) in folders {
                let keywords = messages.reduce(into: Set<String>()) { $0.formUnion($1.1.keywords) }
                let folder = try writer.beginFolder(name, keywords: keywords)
                for (uid, message) in messages.enumerated() {
                    let unwritten = try folder.write(
                        Array(message.0.utf8), uid: UID(uid + 1), uidValidity: 7, flags: message.1,
                        date: Date(timeIntervalSince1970: Double(message.2)))
                    #expect(unwritten.isEmpty)
                }
            }
            try writer.writeSubscriptions(["INBOX", "Entwürfe/v1.2"])
            let read = try MaildirReader.read(root: root)
            #expect(read.problems.isEmpty)
            #expect(read.subscriptions == ["", "Entwürfe/v1.2"])
            for (name, messages) in folders {
                let found = try #require(read.folders.first { ($0.name.isEmpty ? "INBOX" : $0.name) == name })
                #expect(found.messages.count == messages.count)
                let ordered = try found.messages.sorted {
                    try $0.content(maxSize: 100).count > $1.content(maxSize: 100).count
                }
                for (message, expected) in zip(ordered, messages) {
                    #expect(try message.content(maxSize: 100) == Array(expected.0.utf8))
                    #expect(message.flags == expected.1)
                    #expect(message.internalDate == Date(timeIntervalSince1970: Double(expected.2)))
                }
            }
            #expect(throws: TransferError.notEmpty(root.path)) { try MaildirWriter(root: root) }
            #expect(throws: TransferError.notEmpty(root.path)) { try MboxWriter(root: root) }
            try put("x", base.appendingPathComponent("file"))
            #expect(throws: TransferError.notADirectory(base.appendingPathComponent("file").path)) {
                try MaildirWriter(root: base.appendingPathComponent("file"))
            }
            let empty = base.appendingPathComponent("empty")
            try makeDirectories(empty, "")
            _ = try MboxWriter(root: empty)
        }
    }
}
