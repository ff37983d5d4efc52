import Testing

@testable import IMAPSession

@Suite struct RFC5322DateTests {
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
