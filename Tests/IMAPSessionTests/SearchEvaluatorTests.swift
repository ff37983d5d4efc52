import Foundation
import IMAPWire
import MIME
import MailStore
import Testing

@testable import IMAPSession

@Suite struct SearchEvaluatorTests {
    let evaluator = SearchEvaluator(messageCount: 3, lastUID: 30)

    func message(
        seq: Int = 2, uid: UID = 20, flags: MessageFlags = MessageFlags(), size: Int = 500, recent: Bool = false,
        text: String? =
            "From: Alice <alice@example.com>\r\nSubject: Quarterly Report\r\nDate: Tue, 3 Mar 2020 10:00:00 +0100\r\n\r\nThe numbers are in.\r\n"
    ) -> SearchEvaluator.Message {
        let meta = MessageMeta(
            uid: uid, modSeq: 9, flags: flags, internalDate: Date(timeIntervalSince1970: 1_583_226_000), size: size)
        return SearchEvaluator.Message(
            sequenceNumber: seq, meta: meta, recent: recent, content: text.map { MIMEMessage(Array($0.utf8)) })
    }

    @Test func flagKeys() {
        let m = message(flags: MessageFlags(system: [.seen, .flagged], keywords: ["$Label1"]))
        #expect(evaluator.matches(.seen, m))
        #expect(!evaluator.matches(.unseen, m))
        #expect(evaluator.matches(.flagged, m))
        #expect(evaluator.matches(.keyword(.keyword("$label1")), m))
        #expect(evaluator.matches(.unkeyword(.keyword("other")), m))
        #expect(!evaluator.matches(.deleted, m))
    }

    @Test func recentNewOld() {
        #expect(evaluator.matches(.new, message(recent: true)))
        #expect(!evaluator.matches(.new, message(flags: MessageFlags(system: .seen), recent: true)))
        #expect(evaluator.matches(.old, message(recent: false)))
    }

    @Test func textKeysAreCaseInsensitive() {
        let m = message()
        #expect(evaluator.matches(.subject(Array("quarterly".utf8)), m))
        #expect(evaluator.matches(.from(Array("ALICE@EXAMPLE".utf8)), m))
        #expect(evaluator.matches(.body(Array("NUMBERS".utf8)), m))
        #expect(!evaluator.matches(.body(Array("Quarterly".utf8)), m))
        #expect(evaluator.matches(.text(Array("quarterly".utf8)), m))
        #expect(evaluator.matches(.header("Subject", []), m))
        #expect(!evaluator.matches(.header("X-Missing", []), m))
        #expect(!evaluator.matches(.to(Array("alice".utf8)), m))
    }

    @Test func sizeAndSets() {
        let m = message(size: 500)
        #expect(evaluator.matches(.larger(499), m))
        #expect(!evaluator.matches(.larger(500), m))
        #expect(evaluator.matches(.smaller(501), m))
        #expect(evaluator.matches(.uid(.ranges([SequenceRange(.number(15), .last)])), m))
        #expect(!evaluator.matches(.uid(.ranges([SequenceRange(.number(21), .last)])), m))
        #expect(evaluator.matches(.sequenceSet(.ranges([SequenceRange(.last, .number(2))])), m))
    }

    @Test func dates() throws {
        let m = message()
        let day = try #require(IMAPDate(year: 2020, month: 3, day: 3))
        let next = try #require(IMAPDate(year: 2020, month: 3, day: 4))
        #expect(evaluator.matches(.on(day), m))
        #expect(evaluator.matches(.before(next), m))
        #expect(evaluator.matches(.since(day), m))
        #expect(evaluator.matches(.sentOn(day), m))
        #expect(!evaluator.matches(.sentSince(next), m))
    }

    @Test func booleanCombinations() {
        let m = message(flags: MessageFlags(system: .seen))
        #expect(evaluator.matches(.or(.deleted, .seen), m))
        #expect(!evaluator.matches(.not(.seen), m))
        #expect(evaluator.matches(.and([.seen, .subject(Array("report".utf8))]), m))
    }

    @Test func unicodeFolding() {
        let m = message(text: "Subject: Grüße aus Köln\r\n\r\n")
        #expect(evaluator.matches(.subject(Array("grÜße".utf8)), m))
        #expect(evaluator.matches(.subject(Array("KÖLN".utf8)), m))
    }
}
