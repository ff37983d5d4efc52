import Foundation
import FuzzManageSieveParseCheck
import Testing

/// Every input of the FuzzManageSieveParse seed corpus (Tests/Fuzz/Corpus/FuzzManageSieveParse) passes the harness's checks.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/FuzzManageSieveParse")

    static func inputNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).sorted()
    }

    @Test func corpusIsNotEmpty() {
        #expect(!Self.inputNames().isEmpty, "seed corpus at \(Self.corpus.path)")
    }

    @Test(arguments: inputNames())
    func input(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
        try checkManageSieveParseInput(bytes)
    }
}
