import Testing

@testable import MIME

/// Content-Transfer-Encoding fields as Dovecot reads them: BODYSTRUCTURE shows the first lone token, decoding
/// (BINARY, SEARCH) uses the last field, and a value that is not exactly one known name is an unknown encoding.
@Suite struct TransferEncodingTests {
    func field(_ s: String) -> TransferEncoding { TransferEncoding(fieldValue: Array(s.utf8)) }

    @Test func fieldValues() {
        #expect(field("base64") == .base64)
        #expect(field(" Base64 (a comment) ") == .base64)
        #expect(field("(c) 7BIT") == .sevenBit)
        #expect(field("8bit") == .eightBit)
        #expect(field("binary") == .binary)
        #expect(field("quoted-printable;") == .quotedPrintable)
        #expect(field("quoted-printable ; x=y") == .quotedPrintable)
        for unknown in [
            "", "  ", "(only)", "7-bit", "8-bit", "us-ascii", "quoted printable", "base64 binary",
            "text/html", "\"base64\"", ";", "x-uuencode", "base64,",
        ] {
            #expect(field(unknown) == .unknown(Array(unknown.utf8)), "\(unknown)")
        }
        #expect(TransferEncoding(nil) == .sevenBit)
        #expect(TransferEncoding(Array("Base64".utf8)) == .base64)
        #expect(TransferEncoding(Array("7-bit".utf8)) == .unknown(Array("7-bit".utf8)))
    }

    /// (the fields, what BODYSTRUCTURE shows (nil: 7BIT), the encoding the body is decoded with)
    static let cases: [([String], String?, TransferEncoding)] = [
        ([], nil, .sevenBit),
        (["base64"], "base64", .base64),
        (["7-bit"], "7-bit", .unknown(Array("7-bit".utf8))),
        ([""], nil, .unknown([])),
        (["quoted printable"], nil, .unknown(Array("quoted printable".utf8))),
        (["text/html"], nil, .unknown(Array("text/html".utf8))),
        (["quoted-printable;"], nil, .quotedPrintable),
        (["base64 (the data)"], "base64", .base64),
        (["base64", "7bit"], "base64", .sevenBit),
        (["quoted printable", "base64"], "base64", .base64),
        (["base64", "garbage here"], "base64", .unknown(Array("garbage here".utf8))),
    ]

    @Test(arguments: cases.indices)
    func fieldsOfAPart(_ index: Int) {
        let (fields, shown, decoding) = Self.cases[index]
        let header = fields.map { "Content-Transfer-Encoding: \($0)\n" }.joined()
        let m = MIMEMessage(mail("Subject: s\n" + header + "\nSGVsbG8=\n"))
        #expect(str(m.root.encoding) == shown)
        #expect(m.root.transferEncoding == decoding)
    }

    @Test func unknownEncodingsAreNeitherDecodedNorSearched() {
        let m = MIMEMessage(
            mail(
                """
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Transfer-Encoding: 7-bit

                first
                --b
                Content-Transfer-Encoding: base64
                Content-Transfer-Encoding: 7bit

                c2Vjb25k
                --b--
                """))
        #expect(m.binarySection([1]) == nil)
        #expect(m.binarySection([]) == nil)
        #expect(m.binarySection([2]) == Array("c2Vjb25k".utf8))
        let searched = m.textParts.map { String(decoding: m.decodedTextUTF8(of: $0), as: UTF8.self) }
        #expect(searched == ["c2Vjb25k"])
    }

    @Test func aMessagePartIsLookedIntoByItsDecodingEncoding() {
        let inner = "Subject: inner\n\nbody\n"
        let shownBase64 = MIMEMessage(
            mail(
                "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: 8bit\n\n"
                    + inner))
        #expect(shownBase64.root.encapsulated?.envelope?.subject == Array("inner".utf8))
        let unknown = MIMEMessage(mail("Content-Type: message/rfc822\nContent-Transfer-Encoding: 8-bit\n\n" + inner))
        #expect(unknown.root.encapsulated?.envelope?.subject == nil)
    }
}
