import Foundation
import FuzzClientHelloCheck
import Testing

/// Every input of the FuzzClientHello seed corpus (Tests/Fuzz/Corpus/FuzzClientHello) passes the harness's
/// checks.
@Suite struct FuzzCorpusTests {
    static func inputNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: ClientHelloReaderTests.corpus.path)) ?? []).sorted()
    }

    @Test func corpusIsNotEmpty() {
        #expect(!Self.inputNames().isEmpty, "seed corpus at \(ClientHelloReaderTests.corpus.path)")
    }

    @Test(arguments: inputNames())
    func input(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: ClientHelloReaderTests.corpus.appendingPathComponent(name)))
        try checkClientHelloInput(bytes)
    }
}
