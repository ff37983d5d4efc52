import Foundation
import MIME
import Testing

@testable import IMAPSession

/// PREVIEW (RFC 8970 §3) text: the first text part, decoded, HTML reduced, whitespace collapsed, cut.
@Suite struct MessagePreviewTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("mime-diff/messages")

    func preview(_ text: String) -> String {
        let bytes = Array(text.utf8)
        return MessagePreview.text(bytes: bytes, structure: MessageParser.parse(bytes))
    }

    func corpusPreview(_ name: String) throws -> String {
        let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
        return MessagePreview.text(bytes: bytes, structure: MessageParser.parse(bytes))
    }

    /// ISO-8859-15, quoted-printable, line breaks as =0A: decoded and collapsed.
    @Test func quotedPrintableLatin9() throws {
        let text = try corpusPreview("063-mimetools-german-qp.eml")
        #expect(
            text.hasPrefix(
                "Hallo, das ist eine Testnachricht mit 8 Bit S\u{f6}nderz\u{e4}ichen, und obendrein noch "
                    + "quoted-printable kodiert. Gr\u{fc}\u{df}e, J\u{f6}rn --"))
    }

    @Test func htmlIsReducedToItsText() {
        let html = """
            Content-Type: text/html; charset=utf-8\r
            \r
            <html><head><title>T</title><style>p { color: red }</style><script>var x = "<b>";</script></head>\r
            <body><!-- a comment --><p>Hello&nbsp;<b>world</b> &amp; friends&#33;</p>\r
            <div>caf&eacute; &#x263A; &bogus; 3 &lt; 4</div></body></html>\r
            """
        #expect(preview(html) == "T Hello world & friends! caf&eacute; \u{263A} &bogus; 3 < 4")
    }

    @Test func plainIsPreferredToHTMLAndAttachmentsAreSkipped() {
        let message = """
            Content-Type: multipart/mixed; boundary=out\r
            \r
            --out\r
            Content-Type: multipart/alternative; boundary=in\r
            \r
            --in\r
            Content-Type: text/html\r
            \r
            <p>the html</p>\r
            --in\r
            Content-Type: text/plain\r
            \r
            the   plain\r
            text\r
            --in--\r
            --out\r
            Content-Type: text/plain\r
            Content-Disposition: attachment; filename=a.txt\r
            \r
            attached\r
            --out--\r
            """
        #expect(preview(message) == "the plain text")
        let onlyAttachment = """
            Content-Type: multipart/mixed; boundary=out\r
            \r
            --out\r
            Content-Type: text/plain\r
            Content-Disposition: attachment\r
            \r
            attached\r
            --out\r
            Content-Type: image/png\r
            \r
            xx\r
            --out--\r
            """
        #expect(preview(onlyAttachment) == "")
    }

    @Test func cutAtMaxLengthAfterCollapsing() {
        let body = (0..<100).map { "word\($0)\t\r\n  " }.joined()
        let text = preview("Subject: long\r\n\r\n" + body)
        // Cut at the limit, or one before it where the limit falls on a space (no trailing space).
        #expect((MessagePreview.maxLength - 1)...MessagePreview.maxLength ~= text.count)
        #expect(text.hasPrefix("word0 word1 word2 "))
        #expect(!text.hasSuffix(" "))
        #expect(preview("Subject: empty\r\n\r\n \r\n\t\r\n") == "")
    }

    /// Only the first `maxScannedBytes` of the decoded text are looked at: text after a longer run of
    /// markup or blank lines is not reached (and a huge part costs no more than that).
    @Test func scansAtMostMaxScannedBytes() {
        let filler = String(repeating: "<br>\r\n", count: MessagePreview.maxScannedBytes / 6 + 10)
        let far = preview("Content-Type: text/html\r\n\r\n" + filler + "far text\r\n")
        #expect(far == "")
        let shorter = String(repeating: "<br>\r\n", count: 9000)  // 54,000 bytes
        let near = preview("Content-Type: text/html\r\n\r\n" + shorter + "near text\r\n")
        #expect(near == "near text")
    }

    /// Every message of the corpus: no crash, at most `maxLength` characters, one line, no controls.
    @Test func wholeCorpus() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter {
            $0.hasSuffix(".eml")
        }
        #expect(names.count > 300)
        var nonEmpty = 0
        for name in names {
            let text = try corpusPreview(name)
            #expect(text.count <= MessagePreview.maxLength, "\(name)")
            #expect(!text.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(name)")
            #expect(text == text.trimmingCharacters(in: .whitespaces), "\(name)")
            if !text.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > names.count * 3 / 4)
    }

    /// Kept by EMAILID: made once; the cache stays within `maxEntries`.
    @Test func computedOnceAndBounded() {
        let cache = PreviewCache()
        var made = 0
        for _ in 0..<3 {
            #expect(
                cache.preview(for: "E1") {
                    made += 1; return "one"
                } == "one")
        }
        #expect(made == 1)
        for i in 0..<(PreviewCache.maxEntries + 10) { _ = cache.preview(for: "F\(i)") { "x" } }
        #expect(cache.count <= PreviewCache.maxEntries)
    }
}
