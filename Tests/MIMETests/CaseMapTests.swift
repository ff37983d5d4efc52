import Testing

@testable import MIME

@Suite struct CaseMapTests {
    @Test func asciiAndSimpleFolding() {
        #expect(UnicodeCaseMap.contains("Hello World", "WORLD"))
        #expect(UnicodeCaseMap.contains("ÀÉÎÕÜ", "àéîõü"))
        #expect(UnicodeCaseMap.contains("ΚΑΛΗΜΕΡΑ", "καλημέρα") == false)  // accents differ...
        #expect(UnicodeCaseMap.contains("ΚΑΛΗΜΈΡΑ", "καλημέρα"))  // ...until both have them
        #expect(UnicodeCaseMap.contains("ПРИВЕТ", "привет"))
        #expect(!UnicodeCaseMap.contains("abc", "abd"))
        #expect(UnicodeCaseMap.contains("anything", ""))
    }

    @Test func fullFoldingAndNormalisation() {
        #expect(UnicodeCaseMap.contains("STRASSE", "Straße"))
        #expect(UnicodeCaseMap.contains("Straße", "STRASSE"))
        #expect(UnicodeCaseMap.equals("ΟΔΟΣ", "οδος"))  // final sigma
        #expect(UnicodeCaseMap.equals("caf\u{E9}", "CAFE\u{301}"))  // precomposed vs decomposed
        #expect(UnicodeCaseMap.contains("ﬁle", "FILE"))  // ligature, NFKD
        #expect(UnicodeCaseMap.contains("Ｆｕｌｌ", "full"))  // full-width, NFKD
    }

    @Test func matcherReuse() {
        let m = UnicodeCaseMap.Matcher("grüsse")
        #expect(m.matches("Viele GRÜßE"))
        #expect(!m.matches("Gruss"))
        #expect(UnicodeCaseMap.foldedString("ABC") == "abc")
    }
}
