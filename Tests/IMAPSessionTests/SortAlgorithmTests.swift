import IMAPWire
import MIME
import MailStore
import NIOCore
import Testing

@testable import IMAPSession

/// The pure parts of SORT and THREAD: base subjects (RFC 5256 §2.1), sent dates (RFC 5322 §3.3), the
/// kept keys' stored form, and both threading algorithms (RFC 5256 §2.1, §2.2) on hand-built mailboxes.
@Suite struct SortAlgorithmTests {
    @Test(arguments: [
        ("hello", "hello", false), ("Re: hello", "hello", true), ("RE: [list] Re: hello", "hello", true),
        ("[fwd: Re: hello]", "hello", true), ("hello (fwd)", "hello", true), ("hello (FWD) (fwd) ", "hello", true),
        ("[list] hello", "hello", false), ("[list]", "[list]", false), ("[a][b] Re: x", "x", true),
        ("Re:", "", true), ("  hello\t  world  ", "hello world", false), ("Fw: Fwd: re[2]: x", "x", true),
        ("Re hello", "Re hello", false), ("[fwd: [fwd: x]]", "x", true), ("re : x", "x", true),
        ("[fwd: x", "[fwd: x", false), ("Re: [fwd: Re: x] (fwd)", "x", true), ("", "", false),
        ("[unterminated Re: x", "[unterminated Re: x", false),
    ])
    func baseSubject(subject: String, base: String, reply: Bool) {
        let result = BaseSubject.extract(subject)
        #expect(result.subject == base)
        #expect(result.isReplyOrForward == reply)
    }

    @Test(arguments: [
        ("Mon, 1 Jan 2024 10:00:00 +0000", Int64(1_704_103_200)), ("1 Jan 2024 12:00 +0200", 1_704_103_200),
        ("Mon, 1 Jan 24 10:00:00 GMT", 1_704_103_200), ("Mon, 1 Jan 2024 10:00:00 +0000 (UTC)", 1_704_103_200),
        ("1 Jan 2024 05:00:00 EST", 1_704_103_200), ("Mon,1 Jan 2024 10:00:00 Z", 1_704_103_200),
        ("(comment) 1 jan 2024 10:00:00 +0000", 1_704_103_200), ("29 Feb 2000 00:00:00 +0000", 951_782_400),
        ("1 Jan 1969 00:00:00 +0000", -31_536_000),
    ])
    func sentDate(text: String, seconds: Int64) {
        #expect(SentDate.seconds(text) == seconds)
    }

    @Test(arguments: [
        "", "garbage", "32 Jan 2024 10:00:00 +0000", "1 Jan 2024", "1 Foo 2024 10:00:00 +0000",
        "1 Jan 2024 25:00:00 +0000", "1 Jan 2024 10:x:00", "1 Jan 2024 10", "1 Jan 2024 10:00:00:00",
        "1 Jan 99999999999999999 10:00:00 +0000", "1 Jan 10000 10:00:00 +0000",
    ])
    func unreadableSentDate(text: String) {
        #expect(SentDate.seconds(text) == nil)
    }

    @Test func keysFromHeaderAndStoredForm() throws {
        let header = """
            From: =?UTF-8?Q?=C3=89mile?= <Emile@Example.org>, b@example.org\r
            To: undisclosed:;, "" <To@Example.org>\r
            Cc: cc@example.org\r
            Subject: Re: [x] Caf\u{e9}\r
            Date: Mon, 1 Jan 2024 10:00:00 +0000\r
            Message-ID: <m1@example.org>\r
            In-Reply-To: <p0@example.org>\r
            References: <p1@example.org>\r
             <p2@example.org>\r
            \r
            Subject: not a header\r

            """
        let keys = MessageSortKeys(header: Array(header.utf8))
        #expect(keys.subject == UnicodeCaseMap.fold("caf\u{e9}"))
        #expect(keys.isReplyOrForward)
        #expect(keys.from == Array("emile".utf8))
        #expect(keys.to == Array("to".utf8))
        #expect(keys.cc == Array("cc".utf8))
        #expect(keys.displayFrom == UnicodeCaseMap.fold("\u{c9}mile"))
        #expect(keys.displayTo == Array("to@example.org".utf8))
        #expect(keys.sentDate == 1_704_103_200)
        #expect(keys.messageID == Array("m1@example.org".utf8))
        #expect(keys.references == [Array("p1@example.org".utf8), Array("p2@example.org".utf8)])
        #expect(MessageSortKeys(stored: keys.stored) == keys)

        // In-Reply-To stands in for a missing References; no Date, no keys.
        let bare = MessageSortKeys(header: Array("In-Reply-To: x <a@b> <c@d>\r\n\r\n".utf8))
        #expect(bare.references == [Array("a@b".utf8)])
        #expect(bare.sentDate == nil)
        #expect(MessageSortKeys(stored: bare.stored) == bare)
        #expect(bare.subject.isEmpty && bare.from.isEmpty && bare.messageID.isEmpty)
    }

    @Test func damagedStoredKeysAreIgnored() {
        let good = MessageSortKeys(header: Array("Subject: x\r\nReferences: <a> <b>\r\n\r\n".utf8)).stored
        #expect(MessageSortKeys(stored: SortKeyData(version: good.version + 1, data: good.data)) == nil)
        for cut in 0..<good.data.count {
            #expect(MessageSortKeys(stored: SortKeyData(version: good.version, data: Array(good.data[..<cut]))) == nil)
        }
        #expect(MessageSortKeys(stored: SortKeyData(version: good.version, data: good.data + [0])) == nil)
    }

    @Test func referencesAreBounded() {
        let ids = (1...1000).map { "<r\($0)@x>" }.joined(separator: " ")
        let keys = MessageSortKeys(header: Array("References: \(ids)\r\n\r\n".utf8))
        #expect(keys.references.count == IMAPLimits.default.maxThreadReferences)
        #expect(keys.references.last == Array("r1000@x".utf8))
    }

    @Test func headerPastTheReadLimitCountsAsAbsent() {
        let filler = "X-Filler: " + String(repeating: "y", count: IMAPLimits.default.maxSortHeaderBytes) + "\r\n"
        let text = Array((filler + "Subject: late\r\n\r\n").utf8.prefix(IMAPLimits.default.maxSortHeaderBytes))
        #expect(MessageSortKeys(header: text).subject.isEmpty)
    }

    // MARK: - Threads

    static func message(
        _ seq: Int, id: String, subject: String = "s", date: Int64, references: [String] = []
    ) -> Threader.Message {
        var keys = MessageSortKeys()
        let base = BaseSubject.extract(subject)
        keys.subject = UnicodeCaseMap.fold(base.subject)
        keys.isReplyOrForward = base.isReplyOrForward
        keys.messageID = Array(id.utf8)
        keys.references = references.map { Array($0.utf8) }
        keys.sentDate = date
        return Threader.Message(sequenceNumber: seq, number: UInt32(seq), keys: keys, date: date)
    }

    func text(_ thread: ThreadResponse) -> String {
        var b = ByteBuffer()
        ResponseEncoder().encode(.thread(thread), into: &b)
        // Without the "* " and the CRLF (one Character).
        return String(String(buffer: b).dropFirst(2).dropLast())
    }

    @Test func orderedSubjectGroupsAndOrders() {
        let messages = [
            Self.message(1, id: "1", subject: "b", date: 50), Self.message(2, id: "2", subject: "Re: a", date: 20),
            Self.message(3, id: "3", subject: "a", date: 10), Self.message(4, id: "4", subject: "B", date: 5),
            Self.message(5, id: "5", subject: "c", date: 30), Self.message(6, id: "6", subject: "a", date: 20),
        ]
        // a: 3 (10), 2 and 6 (20, tie: mailbox order); b: 4 (5), 1; c: 5.
        #expect(text(Threader.orderedSubject(messages)) == "THREAD (4 1)(3 (2)(6))(5)")
        #expect(text(Threader.orderedSubject([])) == "THREAD")
    }

    @Test func referencesLinksPrunesAndSorts() {
        let messages = [
            Self.message(1, id: "a", subject: "x", date: 10),
            // References through two missing messages: m1 and m2 become dummies, then go.
            Self.message(2, id: "b", subject: "Re: x", date: 30, references: ["a", "m1", "m2"]),
            Self.message(3, id: "c", subject: "Re: x", date: 20, references: ["a"]),
            // Same id as 1: a container of its own; no references, subject "x" not a reply.
            Self.message(4, id: "a", subject: "x", date: 5),
            // Two replies to a missing parent: a dummy with two children stays at the top.
            Self.message(5, id: "e", subject: "y", date: 40, references: ["gone"]),
            Self.message(6, id: "f", subject: "Re: y", date: 35, references: ["gone"]),
        ]
        // 1 and 4 share subject x and neither is a reply: a new dummy holds both.
        #expect(text(Threader.references(messages)) == "THREAD ((4)(1 (3)(2)))((6)(5))")
    }

    @Test func referenceLoopsAreNotLinked() {
        let messages = [
            Self.message(1, id: "a", subject: "p", date: 1, references: ["b"]),
            Self.message(2, id: "b", subject: "q", date: 2, references: ["a"]),
            Self.message(3, id: "c", subject: "r", date: 3, references: ["c"]),
            Self.message(4, id: "d", subject: "s", date: 4, references: ["x", "y", "x"]),
        ]
        #expect(text(Threader.references(messages)) == "THREAD (2 1)(3)(4)")
    }

    /// A thread as deep as a big mailbox is large: no recursion anywhere (build, prune, sort, write).
    @Test(arguments: [false, true])
    func deepChainIsIterative(reversed: Bool) {
        let count = 100_000
        var messages = (1...count).map {
            Self.message(
                $0, id: "m\($0)", subject: "Re: deep", date: Int64($0), references: $0 > 1 ? ["m\($0 - 1)"] : [])
        }
        if reversed { messages.reverse() }
        let thread = Threader.references(messages)
        #expect(thread.roots.count == 1)
        #expect(thread.nodes.count == count)
        #expect(thread.nodes.allSatisfy { $0.children.count <= 1 })
        let written = text(thread)
        #expect(written.hasPrefix("THREAD (1 2 3 "))
        #expect(written.hasSuffix(" 99999 100000)"))
    }

    @Test func sortOrderUsesEveryCriterionThenMailboxOrder() {
        func info(_ seq: Int, subject: String, size: Int, arrival: Int64, date: Int64?) -> IMAPSession.SortInfo {
            var keys = MessageSortKeys()
            keys.subject = Array(subject.utf8)
            keys.sentDate = date
            return IMAPSession.SortInfo(seq: seq, uid: UInt32(seq * 10), keys: keys, arrival: arrival, size: size)
        }
        let all = [
            info(1, subject: "b", size: 10, arrival: 5, date: nil),
            info(2, subject: "a", size: 10, arrival: 1, date: 9),
            info(3, subject: "b", size: 5, arrival: 3, date: 2), info(4, subject: "a", size: 20, arrival: 2, date: 9),
        ]
        #expect(IMAPSession.sortOrder(all, [SortCriterion(.subject)]) == [1, 3, 0, 2])
        #expect(
            IMAPSession.sortOrder(all, [SortCriterion(.subject, reverse: true), SortCriterion(.size)]) == [2, 0, 1, 3])
        // DATE: message 1 has none, so its arrival (5) counts; 2 and 4 tie on 9: mailbox order, even reversed.
        #expect(IMAPSession.sortOrder(all, [SortCriterion(.date)]) == [2, 0, 1, 3])
        #expect(IMAPSession.sortOrder(all, [SortCriterion(.date, reverse: true)]) == [1, 3, 0, 2])
        #expect(IMAPSession.sortOrder(all, [SortCriterion(.arrival)]) == [1, 3, 2, 0])
        #expect(IMAPSession.sortOrder([], [SortCriterion(.arrival)]).isEmpty)
    }
}
