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

    /// Folding runs of non-ASCII characters one at a time equals folding the whole string at once.
    @Test func runWiseFoldingEqualsWholeStringFolding() {
        func reference(_ s: String) -> [UInt8] {
            var mapped = ""
            for scalar in s.unicodeScalars {
                for u in scalar.properties.uppercaseMapping.unicodeScalars { mapped += u.properties.lowercaseMapping }
            }
            return Array(mapped.decomposedStringWithCompatibilityMapping.utf8)
        }
        let samples = [
            "Plain ASCII Text", "Straße und CAFÉ", "e\u{301}\u{323}x and \u{1E0D}\u{307}", "ﬁle Ｏｕｔａｇｅ \u{212A}elvin",
            "ΟΔΟΣ — “quoted” ΣΑΣ.", "a\u{323}\u{301}b\u{301}\u{323}", "日本語のテキスト ABC ｶﾀｶﾅ", "",
        ]
        for sample in samples {
            #expect(UnicodeCaseMap.fold(sample) == reference(sample), "\(sample)")
        }
        #expect(UnicodeCaseMap.contains("Service OUTAGE at 9", "outage"))
        #expect(UnicodeCaseMap.contains("Ｏｕｔａｇｅ — résumé", "OUTAGE"))
    }

    @Test func matcherReuse() {
        let m = UnicodeCaseMap.Matcher("grüsse")
        #expect(m.matches("Viele GRÜßE"))
        #expect(!m.matches("Gruss"))
        #expect(UnicodeCaseMap.foldedString("ABC") == "abc")
    }
}
