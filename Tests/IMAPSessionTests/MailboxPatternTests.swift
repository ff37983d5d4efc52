import Testing

@testable import IMAPSession

@Suite struct MailboxPatternTests {
    @Test(arguments: [
        ("*", "INBOX", true),
        ("*", "a/b/c", true),
        ("%", "a", true),
        ("%", "a/b", false),
        ("a/%", "a/b", true),
        ("a/%", "a/b/c", false),
        ("a/*", "a/b/c", true),
        ("a*", "a", true),
        ("a*", "ab/c", true),
        ("a%", "ab/c", false),
        ("%/%", "a/b", true),
        ("%b", "ab", true),
        ("%b", "a/b", false),
        ("inbox", "INBOX", true),
        ("InBoX/%", "INBOX/x", true),
        ("Sent", "Sent", true),
        ("sent", "Sent", false),
        ("", "a", false),
        ("*x*y*", "1x2y3", true),
        ("*x*y*", "1y2x3", false),
    ])
    func matches(pattern: String, name: String, expected: Bool) {
        #expect(MailboxPattern(reference: "", pattern: pattern).matches(name) == expected)
    }

    @Test func referenceIsPrepended() {
        let pattern = MailboxPattern(reference: "Archive/", pattern: "%")
        #expect(pattern.matches("Archive/2024"))
        #expect(!pattern.matches("Other"))
    }

    /// 2,000 wildcards against a 255-character name: a backtracking matcher would not finish; this one
    /// answers at once, both when the name does not match and when it does.
    @Test func longPatternStaysLinear() {
        let name = String(repeating: "a", count: 255)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(!MailboxPattern(reference: "", pattern: String(repeating: "*a", count: 2000) + "b").matches(name))
        #expect(MailboxPattern(reference: "", pattern: String(repeating: "*a", count: 255) + "*").matches(name))
        #expect(MailboxPattern(reference: "", pattern: String(repeating: "%a", count: 200) + "%").matches(name))
        #expect(clock.now - start < .seconds(5))
    }
}
