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
            "Résumé é\u{323}ü“—” ÅΩ ǅ ß", "é\u{323}\u{301}Ω\u{345}",
        ]
        for sample in samples {
            #expect(UnicodeCaseMap.fold(sample) == reference(sample), "\(sample)")
        }
        #expect(UnicodeCaseMap.contains("Service OUTAGE at 9", "outage"))
        #expect(UnicodeCaseMap.contains("Ｏｕｔａｇｅ — résumé", "OUTAGE"))
    }

    /// The eight-bytes-at-a-time ASCII lowercasing equals the byte-by-byte one, at every length and
    /// alignment, around the letters' edges ('@' 'A' 'Z' '[' '`' 'a' 'z' '{' DEL).
    @Test func wordwiseASCIILowercasing() {
        let alphabet = Array("@AZ[`az{\u{7F}09 mQ\t".utf8)
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            for _ in 0..<20 {
                let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                let expected = text.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
                #expect(UnicodeCaseMap.fold(utf8: text) == expected)
                // A non-ASCII byte stops the fast prefix; what follows is still folded.
                let mixed = text + Array("É".utf8) + text
                #expect(UnicodeCaseMap.fold(utf8: mixed) == expected + Array("e\u{301}".utf8) + expected)
            }
        }
    }

    @Test func matcherEdges() {
        let m = UnicodeCaseMap.Matcher("aab")
        #expect(m.matches(utf8: Array("AAB".utf8)))
        #expect(m.matches(utf8: Array("xaaab".utf8)))
        #expect(m.matches(utf8: Array("aaaaaaaaab".utf8)))
        #expect(!m.matches(utf8: Array("aa".utf8)))
        #expect(!m.matches(utf8: Array("aaxaab-".utf8).dropLast(2) + [0x61]))
        #expect(m.matches(utf8: Array("...aab".utf8)))
        #expect(!m.matches(utf8: []))
        #expect(UnicodeCaseMap.Matcher("").matches(utf8: []))
        #expect(UnicodeCaseMap.Matcher("outage").matches(utf8: Array("Ｏｕｔａｇｅ".utf8)))
    }

    /// Matching a window at a time (as SEARCH does for a large body) finds exactly what matching the
    /// whole folded text finds: needles cut from the text at every place, across window edges, with
    /// characters whose folding changes their length and combining marks that NFKD reorders.
    @Test func windowedMatchingEqualsWholeTextMatching() {
        let pieces = [
            "a", "B", "z", " ", "\r\n", "É", "ß", "ﬁ", "e\u{301}", "\u{323}", "Σ", "ς", "日本", "Ｏ", "ǅ", "İ", "\u{FFFD}",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<60 {
            let text = Array(
                (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                    pieces.randomElement(using: &generator)!
                }.joined().utf8)
            let whole = UnicodeCaseMap.fold(utf8: text)
            var needles = (0..<6).map { _ in
                (0..<Int.random(in: 1...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                    .joined()
            }
            let string = String(decoding: text, as: UTF8.self)
            let characters = Array(string)
            for _ in 0..<6 where !characters.isEmpty {
                let from = Int.random(in: 0..<characters.count, using: &generator)
                let to = Int.random(in: from...min(characters.count, from + 6), using: &generator)
                needles.append(String(characters[from..<to]).uppercased())
            }
            for needle in needles {
                let matcher = UnicodeCaseMap.Matcher(needle)
                let expected = matcher.matches(whole)
                for window in [1, 2, 3, 5, 8, 13, 64] {
                    let found = text.withUnsafeBufferPointer { matcher.matches(utf8: $0, window: window) }
                    #expect(
                        found == expected, "\(string.debugDescription) ~ \(needle.debugDescription), window \(window)")
                }
            }
        }
        // Invalid UTF-8 cut by a window reads as U+FFFD either way.
        let invalid: [UInt8] = [0x41, 0xC3, 0x41, 0xFF, 0xE2, 0x82, 0x42]
        let matcher = UnicodeCaseMap.Matcher("\u{FFFD}a")
        #expect(matcher.matches(UnicodeCaseMap.fold(utf8: invalid)))
        for window in 1...8 {
            #expect(invalid.withUnsafeBufferPointer { matcher.matches(utf8: $0, window: window) })
        }
    }

    @Test func matcherReuse() {
        let m = UnicodeCaseMap.Matcher("grüsse")
        #expect(m.matches("Viele GRÜßE"))
        #expect(!m.matches("Gruss"))
        #expect(UnicodeCaseMap.foldedString("ABC") == "abc")
    }
}
