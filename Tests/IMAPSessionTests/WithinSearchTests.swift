import Foundation
import IMAPWire
import MailStore
import Testing

@testable import IMAPSession

/// OLDER / YOUNGER (RFC 5032 §3) at their boundaries: OLDER n is an internal date more than n seconds
/// before the command's moment, YOUNGER n at most n seconds before it; together they cover every message.
@Suite struct WithinSearchTests {
    static let internalDate = Date(timeIntervalSince1970: 1_583_226_000)

    func message() -> SearchEvaluator.Message {
        let meta = MessageMeta(uid: 1, modSeq: 1, flags: MessageFlags(), internalDate: Self.internalDate, size: 10)
        return SearchEvaluator.Message(sequenceNumber: 1, meta: meta, recent: false, content: nil)
    }

    func evaluator(ageInSeconds age: TimeInterval) -> SearchEvaluator {
        var evaluator = SearchEvaluator(messageCount: 1, lastUID: 1)
        evaluator.now = Self.internalDate.addingTimeInterval(age)
        return evaluator
    }

    @Test(arguments: [0.0, 1, 3599, 3600, 3600.5, 3601, 86400])
    func olderAndYoungerSplitAtTheInterval(age: TimeInterval) {
        let e = evaluator(ageInSeconds: age)
        #expect(e.matches(.older(3600), message()) == (age > 3600))
        #expect(e.matches(.younger(3600), message()) == (age <= 3600))
        #expect(e.matches(.or(.older(3600), .younger(3600)), message()))
        #expect(!SearchEvaluator.needsContent(.older(1)))
    }

    /// A message dated in the future (a client-given INTERNALDATE) is younger than any interval.
    @Test func futureDateIsYounger() {
        let e = evaluator(ageInSeconds: -3600)
        #expect(e.matches(.younger(1), message()))
        #expect(!e.matches(.older(1), message()))
    }

    @Test func parsesAndEncodes() throws {
        let parsed = GrammarParser.parseCommand(Array("a SEARCH OLDER 1 YOUNGER 4294967295\r\n".utf8))
        let command = try parsed.get()
        guard case .search(let search) = command.command else {
            Issue.record("not a SEARCH")
            return
        }
        #expect(search.key == .and([.older(1), .younger(4_294_967_295)]))
        for bad in ["OLDER 0", "OLDER", "YOUNGER 4294967296", "YOUNGER x", "OLDER -1", "YOUNGER 01"] {
            if case .success = GrammarParser.parseCommand(Array("a SEARCH \(bad)\r\n".utf8)) {
                Issue.record("accepted \(bad)")
            }
        }
    }
}
