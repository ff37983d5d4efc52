import Testing

@testable import IMAPSession

@Suite struct MessageTextTests {
    let raw = Array(
        ("From: A <a@example.com>\r\nSubject: Hello\r\n  world\r\nX-Empty:\r\nTo: b@example.com\r\n\r\nBody line\r\n").utf8)

    @Test func splitsHeaderAndBody() {
        let m = MessageText(raw)
        #expect(String(decoding: m.body, as: UTF8.self) == "Body line\r\n")
        #expect(String(decoding: m.header, as: UTF8.self).hasSuffix("b@example.com\r\n\r\n"))
    }

    @Test func unfoldsValues() {
        let m = MessageText(raw)
        #expect(m.values(of: "subject") == ["Hello  world"])
        #expect(m.values(of: "X-Empty") == [""])
    }

    @Test func headerFieldsKeepsRawLinesAndEndsWithBlankLine() {
        let m = MessageText(raw)
        let picked = String(decoding: m.headerFields(["SUBJECT", "to"], not: false), as: UTF8.self)
        #expect(picked == "Subject: Hello\r\n  world\r\nTo: b@example.com\r\n\r\n")
        let rest = String(decoding: m.headerFields(["subject", "to", "x-empty"], not: true), as: UTF8.self)
        #expect(rest == "From: A <a@example.com>\r\n\r\n")
    }

    @Test func messageWithoutBody() {
        let m = MessageText(Array("Subject: x\r\n".utf8))
        #expect(m.body.isEmpty)
        #expect(m.values(of: "Subject") == ["x"])
    }

    @Test func bareLineFeeds() {
        let m = MessageText(Array("A: 1\nB: 2\n\nbody\n".utf8))
        #expect(String(decoding: m.body, as: UTF8.self) == "body\n")
        #expect(m.values(of: "b") == ["2"])
    }

    @Test(arguments: [
        ("Mon, 7 Feb 1994 21:52:25 -0800", 1994, 2, 7),
        ("7 Feb 94 21:52:25 PST", 1994, 2, 7),
        ("Thu, 01 Jan 2026 00:00:00 +0000", 2026, 1, 1),
        ("Sat, 31 Dec 05 23:00 +0100", 2005, 12, 31),
    ])
    func parsesDates(text: String, year: Int, month: Int, day: Int) throws {
        let parsed = try #require(RFC5322Date.day(text))
        #expect(parsed.year == year && parsed.month == month && parsed.day == day)
    }

    @Test func rejectsGarbageDates() {
        #expect(RFC5322Date.day("yesterday") == nil)
        #expect(RFC5322Date.day("") == nil)
        #expect(RFC5322Date.day("32 Jan 2020") == nil)
    }
}
