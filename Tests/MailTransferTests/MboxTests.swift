import Foundation
import MailStore
import Testing

@testable import MailTransfer

@Suite struct MboxTests {
    static func read(_ text: String) throws -> [(bytes: String, message: SourceMessage)] {
        try withTemporaryDirectory { root in
            let url = root.appendingPathComponent("box.mbox")
            try put(text, url, mtime: 1_234_567_890)
            let (file, messages) = try MboxFile.read(url)
            return messages.indices.map { (String(decoding: file.message(at: $0), as: UTF8.self), messages[$0]) }
        }
    }

    @Test func splitsAndUnquotes() throws {
        let text = """
            From alice@example.org Wed Dec  6 07:34:07 2026
            Subject: one
            Status: RO
            X-Status: AF
            X-Keywords: Work, $Junk
            X-UID: 7

            Hello
            >From the start
            >>From deeper
            From here on, a new message

            From bob Thu Jan  1 00:00:00 1970 +0100
            Subject: two
            Status: O
            X-Status: TD

            Body two

            """
        let found = try Self.read(text)
        #expect(found.count == 3)
        #expect(found[0].bytes == "Subject: one\n\nHello\nFrom the start\n>From deeper\n")
        #expect(
            found[0].message.flags == MessageFlags(system: [.seen, .answered, .flagged], keywords: ["Work", "$Junk"]))
        #expect(found[0].message.internalDate == Date(timeIntervalSince1970: 1_796_542_447))
        // An unquoted From line starts a message (mboxo): its headers are garbage, kept as they are.
        #expect(found[1].bytes == "\n")
        #expect(found[1].message.internalDate == Date(timeIntervalSince1970: 1_234_567_890), "no date: file time")
        #expect(found[2].bytes == "Subject: two\n\nBody two\n")
        #expect(found[2].message.flags == MessageFlags(system: [.draft, .deleted]))
        #expect(found[2].message.internalDate == Date(timeIntervalSince1970: -3600))
        #expect(Set(found.map(\.message.identity)).count == 3)
    }

    @Test func contentLengthDelimitsBody() throws {
        let body = "From inside the body\nline\n"
        let text =
            "From a Mon Jan  2 03:04:05 2006\nSubject: x\nContent-Length: \(body.utf8.count)\n\n\(body)\n"
            + "From b Mon Jan  2 03:04:06 2006\nSubject: y\nContent-Length: 999\n\nshort\n"
        let found = try Self.read(text)
        #expect(found.map(\.bytes) == ["Subject: x\n\n\(body)", "Subject: y\n\nshort\n"])
    }

    @Test func folderDataMessageAndOddEnds() throws {
        let text = """
            From MAILER-DAEMON Mon Jan  2 03:04:05 2006
            Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA
            X-IMAP: 1 2

            internal
            From a Mon Jan  2 03:04:05 2006
            Subject: no blank line, no end of line
            """
        let found = try Self.read(text)
        #expect(found.map(\.bytes) == ["Subject: no blank line, no end of line"])
        #expect(try Self.read("").isEmpty)
        #expect(throws: TransferError.self) { try Self.read("Subject: not an mbox\n\nbody\n") }
        #expect(throws: TransferError.self) {
            try withTemporaryDirectory { try MboxFile.read($0.appendingPathComponent("missing")) }
        }
        #expect(throws: TransferError.self) { try withTemporaryDirectory { try MboxFile.read($0) } }
    }

    @Test func crlfMessages() throws {
        let found = try Self.read(
            "From a Mon Jan  2 03:04:05 2006\r\nStatus: R\r\nSubject: c\r\n\r\nbody\r\n\nFrom b Mon Jan  2 03:04:05 2006\r\n\r\nx\r\n"
        )
        #expect(found.map(\.bytes) == ["Subject: c\r\n\r\nbody\r\n", "\r\nx\r\n"])
        #expect(found[0].message.flags == MessageFlags(system: .seen))
    }

    @Test func writerRoundTrip() throws {
        let messages = [
            "Subject: a\r\n\r\nFrom me\r\n>From you\r\nplain\r\n",
            "Subject: b\n\nno final newline",
            "Subject: c\nStatus: would be eaten\n\n\n\nblank lines\n\n",
        ]
        let flags = [
            MessageFlags(system: [.seen, .answered, .flagged, .draft, .deleted], keywords: ["$Label1", "Work"]),
            MessageFlags(), MessageFlags(keywords: ["x"]),
        ]
        let dates = [
            Date(timeIntervalSince1970: 1_000_000_000), Date(timeIntervalSince1970: 86_400 * 9),
            Date(timeIntervalSince1970: 0),
        ]
        let text = (0..<3).map {
            String(
                decoding: MboxWriter.entry(Array(messages[$0].utf8), flags: flags[$0], date: dates[$0]), as: UTF8.self)
        }.joined()
        #expect(
            text.hasPrefix(
                "From MAILER-DAEMON Sun Sep  9 01:46:40 2001\nStatus: RO\nX-Status: AFTD\nX-Keywords: $Label1 Work\n"))
        let found = try Self.read(text)
        #expect(found.map(\.message.flags) == flags)
        #expect(found.map(\.message.internalDate) == dates)
        #expect(found[0].bytes == messages[0])
        #expect(found[1].bytes == messages[1] + "\n", "a line end is added to a message without one")
        #expect(
            found[2].bytes == "Subject: c\n\n\n\nblank lines\n\n", "a Status header of the message itself is metadata")
    }

    @Test func mboxTree() throws {
        try withTemporaryDirectory { root in
            try put("From a Mon Jan  2 03:04:05 2006\n\none\n", root.appendingPathComponent("INBOX.mbox"))
            try put("From a Mon Jan  2 03:04:05 2006\n\ntwo\n", root.appendingPathComponent("Work/Old.mbox"))
            try put("not mail", root.appendingPathComponent("notes.txt"))
            try put("garbage", root.appendingPathComponent("Bad.mbox"))
            let (folders, problems) = try MboxTreeReader.read(root)
            #expect(folders.map(\.name).sorted() == ["", "Work/Old"])
            #expect(problems.count == 1 && problems[0].contains("Bad.mbox"))
        }
    }
}
