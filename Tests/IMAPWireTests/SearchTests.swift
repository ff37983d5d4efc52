import Testing

@testable import IMAPWire

@Suite struct SearchTests {
    func key(_ text: String) -> SearchKey? {
        guard case .search(let s)? = command("a SEARCH \(text)\r\n") else { return nil }
        return s.key
    }

    @Test(arguments: [
        ("ALL", SearchKey.all), ("answered", .answered), ("DELETED", .deleted), ("DRAFT", .draft),
        ("FLAGGED", .flagged),
        ("NEW", .new), ("OLD", .old), ("RECENT", .recent), ("SEEN", .seen), ("UNANSWERED", .unanswered),
        ("UNDELETED", .undeleted), ("UNDRAFT", .undraft), ("UNFLAGGED", .unflagged), ("UNSEEN", .unseen),
        ("BCC x", .bcc(bytes("x"))), ("BODY \"a b\"", .body(bytes("a b"))), ("CC x", .cc(bytes("x"))),
        ("FROM x", .from(bytes("x"))), ("SUBJECT {2}\r\nhi", .subject(bytes("hi"))), ("TEXT x", .text(bytes("x"))),
        ("TO x", .to(bytes("x"))), ("HEADER Message-ID <x@y>", .header("Message-ID", bytes("<x@y>"))),
        ("KEYWORD $Junk", .keyword(.keyword("$Junk"))), ("UNKEYWORD foo", .unkeyword(.keyword("foo"))),
        ("BEFORE 1-Feb-2024", .before(date(2024, 2, 1))), ("ON \"01-Jan-2000\"", .on(date(2000, 1, 1))),
        ("SINCE 31-dec-1999", .since(date(1999, 12, 31))), ("SENTBEFORE 1-Feb-2024", .sentBefore(date(2024, 2, 1))),
        ("SENTON 1-Feb-2024", .sentOn(date(2024, 2, 1))), ("SENTSINCE 1-Feb-2024", .sentSince(date(2024, 2, 1))),
        ("LARGER 100", .larger(100)), ("SMALLER 5000000000", .smaller(5_000_000_000)),
        ("UID 1:*", .uid(.ranges([SequenceRange(.number(1), .last)]))), ("UID $", .uid(.lastCommandResult)),
        ("1,3:5", .sequenceSet(.ranges([SequenceRange(1...1), SequenceRange(3...5)]))),
        ("$", .sequenceSet(.lastCommandResult)),
        ("NOT SEEN", .not(.seen)), ("OR SEEN DRAFT", .or(.seen, .draft)), ("(SEEN)", .and([.seen])),
        ("(SEEN DRAFT)", .and([.seen, .draft])), ("MODSEQ 7", .modSeq(7)),
        ("MODSEQ \"/flags/\\\\draft\" all 620162338", .modSeq(620_162_338)), ("MODSEQ \"/flags/x\" priv 3", .modSeq(3)),
        ("SAVEDBEFORE 1-Feb-2024", .savedBefore(date(2024, 2, 1))), ("SAVEDATESUPPORTED", .saveDateSupported),
        ("EMAILID E12ab_-", .emailID("E12ab_-")), ("THREADID T1", .threadID("T1")),
        ("SEEN DRAFT", .and([.seen, .draft])),
        ("OR (SEEN FROM x) NOT NOT 2", .or(.and([.seen, .from(bytes("x"))]), .not(.not(.sequenceSet(.single(2)))))),
    ])
    func keys(text: String, expected: SearchKey) {
        #expect(key(text) == expected)
    }

    @Test func returnOptionsAndCharset() {
        #expect(
            command("a UID SEARCH RETURN (MIN COUNT SAVE) CHARSET UTF-8 SEEN\r\n")
                == .search(
                    SearchCommand(returnOptions: [.min, .count, .save], charset: "UTF-8", key: .seen, uid: true)))
        #expect(command("a SEARCH RETURN () ALL\r\n") == .search(SearchCommand(returnOptions: [], key: .all)))
        #expect(
            command("a SEARCH CHARSET \"US-ASCII\" ALL\r\n") == .search(SearchCommand(charset: "US-ASCII", key: .all)))
    }

    @Test(arguments: [
        "", " ", "FOO", "()", "(SEEN", "SEEN)", "OR SEEN", "NOT", "BEFORE 32-Jan-2000", "BEFORE 29-Feb-2023",
        "BEFORE 1-Foo-2000", "BEFORE 1-Jan-99", "LARGER", "LARGER x", "0", "1:0", "1,", "UID", "KEYWORD \\Seen",
        "HEADER x", "RETURN (BOGUS) ALL", "CHARSET", "SEEN  DRAFT", "4294967296", "MODSEQ x",
        "MODSEQ \"/flags/x\" any 3", "MODSEQ \"/flags/x\" all", "EMAILID", "EMAILID !x",
    ])
    func malformed(text: String) {
        expectError("a SEARCH \(text)\r\n")
    }

    @Test func eightBitSearchStringsAreKept() {
        let parsed = command("a SEARCH CHARSET UTF-8 SUBJECT \"caf\u{e9}\"\r\n")
        guard case .search(let s)? = parsed else {
            Issue.record("not a SEARCH: \(String(describing: parsed))")
            return
        }
        #expect(s.key == .subject(Array("caf\u{e9}".utf8)))
    }
}
