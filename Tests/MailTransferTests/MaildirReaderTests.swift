import Foundation
import MailStore
import Testing

@testable import MailTransfer

@Suite struct MaildirReaderTests {
    static func names(_ result: MaildirReader.Result) -> [String] { result.folders.map(\.name).sorted() }

    @Test func maildirPlusPlus() throws {
        try withTemporaryDirectory { root in
            try makeDirectories(
                root, "cur", "new", "tmp", ".Sent/cur", ".Work.Projects/new", ".Entw&APw-rfe/cur", ".Empty/tmp")
            try put("a", root.appendingPathComponent("cur/1.host:2,RS"), mtime: 1_500_000_000)
            try put("b", root.appendingPathComponent("new/2.host"))
            try put("in progress", root.appendingPathComponent("tmp/3.host"))
            try put(".", root.appendingPathComponent("cur/.hidden"))
            try put("c", root.appendingPathComponent(".Work.Projects/new/4.host"))
            try put("d", root.appendingPathComponent(".Entw&APw-rfe/cur/5.host:2,abP"))
            try put("0 Work\n1 $Junk\n", root.appendingPathComponent(".Entw&APw-rfe/dovecot-keywords"))
            try put("V\t2\n\nINBOX\nWork\tProjects\n", root.appendingPathComponent("subscriptions"))
            let result = try MaildirReader.read(root: root)
            #expect(Self.names(result) == ["", "Entwürfe", "Sent", "Work/Projects"])
            #expect(result.problems.isEmpty)
            #expect(result.subscriptions == ["", "Work/Projects"])
            let inbox = try #require(result.folders.first { $0.name == "" })
            #expect(inbox.messages.map(\.identity) == ["1.host", "2.host"])
            #expect(inbox.messages[0].flags == MessageFlags(system: [.seen, .answered]))
            #expect(inbox.messages[0].internalDate == Date(timeIntervalSince1970: 1_500_000_000))
            #expect(inbox.messages[1].flags.isEmpty)
            let drafts = try #require(result.folders.first { $0.name == "Entwürfe" })
            #expect(drafts.messages[0].flags.keywords == ["Work", "$Junk", "$Forwarded"])
            #expect(try drafts.messages[0].content(maxSize: 10) == Array("d".utf8))
            #expect(throws: TransferError.self) { try drafts.messages[0].content(maxSize: 0) }
        }
    }

    @Test func dovecotFSLayout() throws {
        try withTemporaryDirectory { root in
            try makeDirectories(root, "cur", "Work/cur", "Work/Projects/new", "Archive/2020/cur", "Plain")
            try put("x", root.appendingPathComponent("Work/Projects/new/1.h"))
            try put("y", root.appendingPathComponent("Archive/2020/cur/2.h:2,S"))
            let result = try MaildirReader.read(root: root)
            #expect(Self.names(result) == ["", "Archive/2020", "Work", "Work/Projects"])
        }
    }

    /// Folders deeper than `MaildirReader.maxDepth` levels cannot be mailboxes: not read.
    @Test func depthLimit() throws {
        try withTemporaryDirectory { root in
            let levels = (1...(MaildirReader.maxDepth + 2)).map { "l\($0)" }
            try makeDirectories(root, "cur", levels.joined(separator: "/") + "/cur")
            for depth in 1...levels.count {
                try makeDirectories(root, levels.prefix(depth).joined(separator: "/") + "/cur")
            }
            let names = Self.names(try MaildirReader.read(root: root))
            #expect(names.count == MaildirReader.maxDepth + 1)
            #expect(names.last == levels.prefix(MaildirReader.maxDepth).joined(separator: "/"))
        }
    }

    @Test func errors() throws {
        try withTemporaryDirectory { root in
            #expect(throws: TransferError.notFound(root.appendingPathComponent("missing").path)) {
                try MaildirReader.read(root: root.appendingPathComponent("missing"))
            }
            try put("x", root.appendingPathComponent("file"))
            #expect(throws: TransferError.notADirectory(root.appendingPathComponent("file").path)) {
                try MaildirReader.read(root: root.appendingPathComponent("file"))
            }
            try makeDirectories(root, "empty/sub")
            #expect(throws: TransferError.notMaildir(root.appendingPathComponent("empty").path)) {
                try MaildirReader.read(root: root.appendingPathComponent("empty"))
            }
            // Bad folder names are reported and left out; the rest is read.
            let box = root.appendingPathComponent("box")
            try makeDirectories(box, "cur", ".Bad&AOQ/cur", ".a..b/cur", ".Fine/cur", ".Wild*/cur")
            let result = try MaildirReader.read(root: box)
            #expect(Self.names(result) == ["", "Fine"])
            #expect(result.problems.count == 3)
            #expect(result.problems.allSatisfy { $0.contains("folder name not usable") })
        }
    }

    /// A message that cannot be read when its turn comes (gone since the scan) is an error with its path.
    @Test func unreadableFile() throws {
        try withTemporaryDirectory { root in
            try makeDirectories(root, "cur")
            let file = root.appendingPathComponent("cur/1.h:2,S")
            try put("secret", file)
            let message = try #require(try MaildirReader.read(root: root).folders.first?.messages.first)
            try FileManager.default.removeItem(at: file)
            #expect(throws: TransferError.unreadable(file.path, "no such file")) { try message.content(maxSize: 100) }
        }
    }

    @Test func emlDirectory() throws {
        try withTemporaryDirectory { root in
            try put("a", root.appendingPathComponent("one.eml"), mtime: 1_400_000_000)
            try put("b", root.appendingPathComponent("Work/two.eml"))
            try put("c", root.appendingPathComponent(".hidden.eml"))
            let (folders, problems) = try EmlReader.read(root: root)
            #expect(folders.map(\.name) == ["", "Work"] && problems.isEmpty)
            #expect(folders[0].messages.map(\.identity) == ["one.eml"])
            #expect(folders[0].messages[0].internalDate == Date(timeIntervalSince1970: 1_400_000_000))
            #expect(folders[1].messages.map(\.identity) == ["Work/two.eml"])
            #expect(throws: TransferError.self) { try EmlReader.read(root: root.appendingPathComponent("nope")) }
        }
    }
}
