import Foundation
import IMAPWire
import MIME
import MailStore
import Testing

@testable import IMAPSession

@Suite struct SearchDocumentTests {
    static let message = Array(
        """
        From: =?UTF-8?Q?J=C3=BCrgen?= <jurgen@example.org>\r
        To: Team <team@example.org>\r
        Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= from\r
         the office\r
        X-Custom: Value One\r
        Content-Type: multipart/mixed; boundary=b\r
        \r
        --b\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Transfer-Encoding: base64\r
        \r
        \(Data("Ünïcode body text".utf8).base64EncodedString())\r
        --b\r
        Content-Type: text/html\r
        \r
        <p class="note">Hello</p>\r
        --b--\r
        """.utf8)

    func document() -> String { String(decoding: SearchDocument.make(Self.message), as: UTF8.self) }

    /// Every string a header or text key is compared with is in the document, folded.
    @Test func documentHoldsWhatSearchCompares() {
        let document = document()
        for expected in [
            "jürgen <jurgen@example.org>", "team <team@example.org>", "grüsse from the office", "value one",
            "ünïcode body text", "<p class=\"note\">hello</p>", "content-type: text/html",
        ] {
            #expect(document.contains(String(decoding: UnicodeCaseMap.fold(expected), as: UTF8.self)), "\(expected)")
        }
        #expect(!document.contains("Jürgen"))
    }

    @Test func documentStopsPastTheLimit() {
        let body = String(repeating: "word ", count: SearchTerms.maxDocumentBytes / 4)
        let document = SearchDocument.make(Array("Subject: big\r\n\r\n\(body)\r\n".utf8))
        #expect(document.count > SearchTerms.maxDocumentBytes)
        #expect(document.count < SearchTerms.maxDocumentBytes + body.utf8.count / 2 + 1024)
    }

    /// Strings under AND are required; under OR or NOT they are not; empty ones never.
    @Test func requiredTerms() {
        let a = Array("Alpha".utf8)
        let b = Array("beta".utf8)
        #expect(SearchDocument.requiredTerms(.text(a)) == [Array("alpha".utf8)])
        #expect(
            SearchDocument.requiredTerms(.and([.subject(a), .seen, .and([.header("X", b), .from([])])]))
                == [Array("alpha".utf8), Array("beta".utf8)])
        #expect(SearchDocument.requiredTerms(.or(.text(a), .body(b))).isEmpty)
        #expect(SearchDocument.requiredTerms(.not(.text(a))).isEmpty)
        #expect(SearchDocument.requiredTerms(.header("Subject", [])).isEmpty)
    }

    /// A new parser version makes documents again.
    @Test func versionFollowsTheParser() {
        #expect(SearchDocument.maker.version & 0xFFFF == ParsedMessage.serializationVersion)
        #expect(SearchDocument.maker.version >> 16 == SearchDocument.contentVersion)
    }

    @Test func trigramsOfTerms() {
        #expect(SearchTerms.trigrams(Array("ab".utf8)).isEmpty)
        #expect(SearchTerms.trigrams(Array("abcd".utf8)) == ["abc", "bcd"])
        #expect(SearchTerms.trigrams(Array("aaaa".utf8)) == ["aaa"])
        #expect(SearchTerms.trigrams(Array("grüße".utf8)) == ["grü", "rüß", "üße"])
        let long = SearchTerms.trigrams(Array(String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 2).utf8))
        #expect(long.count == SearchTerms.maxPiecesPerTerm)
    }
}
