import Foundation
import FuzzSieveParseCheck
import Testing

/// Every input of the FuzzSieveParse seed corpus (Tests/Fuzz/Corpus/FuzzSieveParse) passes the harness's checks.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/FuzzSieveParse")

    static func inputNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).sorted()
    }

    @Test func corpusIsNotEmpty() {
        #expect(!Self.inputNames().isEmpty, "seed corpus at \(Self.corpus.path)")
    }

    @Test(arguments: inputNames())
    func input(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
        try checkSieveParseInput(bytes)
    }
}
