import NIOCore
import Testing

@testable import IMAPWire

/// SORT and THREAD (RFC 5256 §5), ESORT (RFC 5267 §3), SORT=DISPLAY (RFC 5957), PARTIAL (RFC 9394 §5).
/// Every chunking of these commands is covered by `Fixtures.valid` (`ChunkingTests`, `RoundTripTests`).
@Suite struct SortTests {
    @Test func sortCommand() {
        #expect(
            command("a SORT (SUBJECT) UTF-8 ALL\r\n")
                == .sort(SortCommand(criteria: [SortCriterion(.subject)], charset: "UTF-8", key: .all)))
        #expect(
            command("a UID SORT (REVERSE ARRIVAL displayfrom) \"US-ASCII\" SEEN DRAFT\r\n")
                == .sort(
                    SortCommand(
                        criteria: [SortCriterion(.arrival, reverse: true), SortCriterion(.displayFrom)],
                        charset: "US-ASCII", key: .and([.seen, .draft]), uid: true)))
        #expect(
            command("a SORT RETURN (MIN COUNT) (DATE) UTF-8 ALL\r\n")
                == .sort(
                    SortCommand(
                        returnOptions: [.min, .count], criteria: [SortCriterion(.date)], charset: "UTF-8", key: .all)))
        #expect(
            command("a SORT RETURN (PARTIAL -1:-10) (SIZE) UTF-8 ALL\r\n")
                == .sort(
                    SortCommand(
                        returnOptions: [], partial: SearchPartialRange(-1, -10), criteria: [SortCriterion(.size)],
                        charset: "UTF-8", key: .all)))
    }

    @Test func threadCommand() {
        #expect(
            command("a THREAD REFERENCES UTF-8 ALL\r\n")
                == .thread(ThreadCommand(algorithm: .references, charset: "UTF-8", key: .all)))
        #expect(
            command("a UID THREAD orderedsubject US-ASCII SINCE 5-MAR-2000\r\n")
                == .thread(
                    ThreadCommand(
                        algorithm: .orderedSubject, charset: "US-ASCII",
                        key: .since(IMAPDate(year: 2000, month: 3, day: 5)!), uid: true)))
    }

    @Test func searchPartial() {
        #expect(
            command("a UID SEARCH RETURN (PARTIAL 1:5 MIN) ALL\r\n")
                == .search(
                    SearchCommand(returnOptions: [.min], partial: SearchPartialRange(1, 5), key: .all, uid: true)))
    }

    @Test(arguments: [
        "a SORT\r\n", "a SORT ()\r\n", "a SORT () UTF-8 ALL\r\n", "a SORT (SUBJECT)\r\n", "a SORT (SUBJECT) UTF-8\r\n",
        "a SORT (SUBJECT) UTF-8 \r\n", "a SORT (BOGUS) UTF-8 ALL\r\n", "a SORT (REVERSE) UTF-8 ALL\r\n",
        "a SORT SUBJECT UTF-8 ALL\r\n", "a SORT (SUBJECT)UTF-8 ALL\r\n", "a SORT RETURN (SAVE) (DATE) UTF-8 ALL\r\n",
        "a SORT RETURN (BOGUS) (DATE) UTF-8 ALL\r\n", "a SORT RETURN (PARTIAL) (DATE) UTF-8 ALL\r\n",
        "a SORT (SUBJECT) UTF-8 FOO\r\n", "a THREAD\r\n", "a THREAD REFERENCES\r\n", "a THREAD BOGUS UTF-8 ALL\r\n",
        "a THREAD REFERENCES UTF-8\r\n", "a UID THREAD REFERENCES UTF-8 (ALL\r\n",
        "a SEARCH RETURN (PARTIAL 0:5) ALL\r\n", "a SEARCH RETURN (PARTIAL 1:-5) ALL\r\n",
        "a SEARCH RETURN (PARTIAL -1:5) ALL\r\n", "a SEARCH RETURN (PARTIAL 1) ALL\r\n",
        "a SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:7) ALL\r\n", "a UID FETCH 1:* FLAGS (PARTIAL 0:2)\r\n",
        "a UID FETCH 1:* FLAGS (PARTIAL)\r\n", "a UID FETCH 1:* FLAGS (PARTIAL -1:2)\r\n",
        "a SEARCH RETURN (PARTIAL 1:4294967296) ALL\r\n",
    ])
    func malformed(line: String) {
        expectError(line)
    }

    @Test func partialRangeIndices() {
        #expect(SearchPartialRange(1, 3).indices(count: 10) == 0..<3)
        #expect(SearchPartialRange(3, 1).indices(count: 10) == 0..<3)
        #expect(SearchPartialRange(8, 20).indices(count: 10) == 7..<10)
        #expect(SearchPartialRange(11, 20).indices(count: 10).isEmpty)
        #expect(SearchPartialRange(-1, -3).indices(count: 10) == 7..<10)
        #expect(SearchPartialRange(-3, -1).indices(count: 10) == 7..<10)
        #expect(SearchPartialRange(-5, -20).indices(count: 10) == 0..<6)
        #expect(SearchPartialRange(-11, -20).indices(count: 10).isEmpty)
        #expect(SearchPartialRange(-1, -1).indices(count: 0).isEmpty)
        #expect(SearchPartialRange(1, 4_294_967_295).indices(count: 2) == 0..<2)
    }

    func encoded(_ response: UntaggedResponse) -> String {
        var b = ByteBuffer()
        ResponseEncoder().encode(response, into: &b)
        // Without the "* " and the CRLF (one Character).
        return String(String(buffer: b).dropFirst(2).dropLast())
    }

    @Test func sortAndESortResponses() {
        #expect(encoded(.sort([2, 84, 882])) == "SORT 2 84 882")
        #expect(encoded(.sort([])) == "SORT")
        var e = ESearchResponse(tag: "A1", uid: true, min: 5, count: 3)
        e.partial = ESearchPartial(
            range: SearchPartialRange(-1, -2), set: .ranges([SequenceRange(9...9), SequenceRange(3...4)]))
        #expect(encoded(.esearch(e)) == "ESEARCH (TAG \"A1\") UID MIN 5 COUNT 3 PARTIAL (-1:-2 9,3:4)")
        e.partial = ESearchPartial(range: SearchPartialRange(1, 10), set: nil)
        #expect(encoded(.esearch(e)).hasSuffix("PARTIAL (1:10 NIL)"))
    }

    @Test func threadResponses() {
        // RFC 5256 §4's example: (2)(3 6 (4 23)(44 7 96))
        var t = ThreadResponse()
        t.add(2)
        let three = t.add(3)
        let six = t.add(6, parent: three)
        let four = t.add(4, parent: six)
        t.add(23, parent: four)
        let fortyFour = t.add(44, parent: six)
        let seven = t.add(7, parent: fortyFour)
        t.add(96, parent: seven)
        #expect(encoded(.thread(t)) == "THREAD (2)(3 6 (4 23)(44 7 96))")
        // A dummy parent: ((3)(5)); an empty answer.
        var d = ThreadResponse()
        let dummy = d.add(nil)
        d.add(3, parent: dummy)
        d.add(5, parent: dummy)
        #expect(encoded(.thread(d)) == "THREAD ((3)(5))")
        #expect(encoded(.thread(ThreadResponse())) == "THREAD")
    }

    @Test func deepThreadIsWrittenWithoutRecursion() {
        var t = ThreadResponse()
        var parent: Int? = nil
        for n in 1...200_000 { parent = t.add(UInt32(n), parent: parent) }
        let text = encoded(.thread(t))
        #expect(text.hasPrefix("THREAD (1 2 3 "))
        #expect(text.hasSuffix(" 199999 200000)"))
    }
}
