import Foundation
import Testing

@testable import MIME

@Suite struct DecodingTests {
    @Test func base64Tolerant() {
        #expect(str(TransferDecoding.base64(Array("SGVs\r\nbG8g d29y!!bGQ=".utf8))) == "Hello world")
        #expect(str(TransferDecoding.base64(Array("SGk=SGk=".utf8))) == "HiHi")
        #expect(TransferDecoding.base64(Array("===".utf8)).isEmpty)
        #expect(str(TransferDecoding.base64(Array("SGVsbG8".utf8))) == "Hello")  // missing padding
    }

    @Test func quotedPrintable() {
        let input = Array("caf=E9 =\r\nau lait=3d  \r\nlow=e9\r\n=ZZ bad= \r\nend=".utf8)
        let out = TransferDecoding.quotedPrintable(input)
        #expect(
            out == [0x63, 0x61, 0x66, 0xE9, 0x20] + Array("au lait=\r\nlow".utf8) + [0xE9, 13, 10]
                + Array("=ZZ bad".utf8) + Array("end".utf8))
        #expect(TransferDecoding.quotedPrintable(Array("a\nb=\nc".utf8)) == Array("a\nbc".utf8))
    }

    @Test func identityAndUnknownEncodings() {
        let m = MIMEMessage(mail("Content-Transfer-Encoding: x-uuencode\n\nbegin"))
        #expect(m.decodedBody(of: m.root) == nil)
        #expect(m.decodedText(of: m.root) == "begin")
        for cte in ["7bit", "8BIT", "binary"] {
            let b = MIMEMessage(mail("Content-Transfer-Encoding: \(cte)\n\nx\u{E9}"))
            #expect(b.decodedBody(of: b.root) == Array("x\u{E9}".utf8))
        }
        #expect(TransferEncoding(nil) == .sevenBit)
        #expect(TransferEncoding(Array("Base64".utf8)) == .base64)
    }

    @Test func decodedTextOfParts() {
        let m = MIMEMessage(
            mail(
                """
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain; charset=iso-8859-1
                Content-Transfer-Encoding: quoted-printable

                caf=E9
                --b
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: base64

                R3LDvMOfZQ==
                --b--
                """))
        #expect(m.decodedText(of: m.part([1])!) == "café")
        #expect(m.decodedText(of: m.part([2])!) == "Grüße")
        #expect(m.textParts.count == 2)
    }

    @Test(arguments: charsetVectors.map(\.0))
    func charset(_ label: String) throws {
        let (_, bytes, text) = try #require(charsetVectors.first { $0.0 == label })
        #expect(Charset.isSupported(label))
        #expect(Charset.decode(bytes, charset: label) == text)
        #expect(Charset.decode(bytes, charset: label.lowercased()) == text)
    }

    /// The bytes SEARCH folds equal the decoded text's UTF-8 once folded, for every charset vector,
    /// every transfer encoding, and invalid UTF-8.
    @Test(arguments: charsetVectors.map(\.0))
    func decodedTextUTF8FoldsLikeDecodedText(_ label: String) throws {
        let (_, bytes, _) = try #require(charsetVectors.first { $0.0 == label })
        let base64 = Data(bytes).base64EncodedString()
        for (cte, body) in [("8bit", bytes), ("base64", Array(base64.utf8))] {
            let message = MIMEMessage(
                mail("Content-Type: text/plain; charset=\(label)\nContent-Transfer-Encoding: \(cte)\n\n") + body)
            #expect(
                UnicodeCaseMap.fold(utf8: message.decodedTextUTF8(of: message.root))
                    == UnicodeCaseMap.fold(message.decodedText(of: message.root)), "\(label) \(cte)")
        }
        let invalid = MIMEMessage(
            mail("Content-Type: text/plain; charset=utf-8\n\n") + [0x41, 0xC3, 0x41, 0xFF, 0xE2, 0x82])
        #expect(
            UnicodeCaseMap.fold(utf8: invalid.decodedTextUTF8(of: invalid.root))
                == UnicodeCaseMap.fold(invalid.decodedText(of: invalid.root)))
    }

    /// `withDecodedTextUTF8` hands over the same bytes as `decodedTextUTF8` (in place or decoded), for
    /// every charset vector and transfer encoding, an unknown encoding and invalid UTF-8.
    @Test(arguments: charsetVectors.map(\.0))
    func decodedTextInPlaceEqualsDecodedText(_ label: String) throws {
        let (_, bytes, _) = try #require(charsetVectors.first { $0.0 == label })
        let base64 = Data(bytes).base64EncodedString()
        let ascii = Array("Plain ASCII text\r\n".utf8)
        for (cte, body) in [
            ("8bit", bytes), ("base64", Array(base64.utf8)), ("x-unknown", bytes), ("7bit", ascii), ("binary", bytes),
        ] {
            let message = MIMEMessage(
                mail("Content-Type: text/plain; charset=\(label)\nContent-Transfer-Encoding: \(cte)\n\n") + body)
            let inPlace = message.withDecodedTextUTF8(of: message.root) { Array($0) }
            #expect(inPlace == message.decodedTextUTF8(of: message.root), "\(label) \(cte)")
        }
        let invalid = MIMEMessage(
            mail("Content-Type: text/plain; charset=utf-8\n\n") + [0x41, 0xC3, 0x41, 0xFF, 0xE2, 0x82])
        #expect(
            invalid.withDecodedTextUTF8(of: invalid.root) { Array($0) } == invalid.decodedTextUTF8(of: invalid.root))
    }

    @Test func charsetAliasesAndInvalidBytes() {
        #expect(Charset.decode([0xE9], charset: "latin1") == "é")
        #expect(Charset.decode([0x80], charset: "cp1252") == "€")
        #expect(Charset.decode([0xE9], charset: "\"ISO_8859-1\"") == "é")
        #expect(Charset.decode([0x41, 0xFF], charset: "utf-8") == "A\u{FFFD}")
        #expect(Charset.decode([0xE9], charset: "us-ascii") == "é")  // mislabelled 8-bit: Windows-1252
        #expect(Charset.decode([0xA1], charset: "iso-8859-3") == "Ħ")
        #expect(Charset.decode([0xA5], charset: "iso-8859-3") == "\u{FFFD}")  // undefined in Latin-3
        #expect(
            Charset.decode([0x41, 0x82, 0xA0, 0xFF, 0x0A, 0x42], charset: "shift_jis") == "A\u{FFFD}\u{FFFD}\u{FFFD}\nB"
        )
        #expect(Charset.decode(Array("x".utf8), charset: "x-unknown") == "x")
        #expect(Charset.decode([0x8F, 0xB0, 0xA1, 0x41], charset: "euc-jp") == "\u{3013}A")  // JIS X 0212
        #expect(!Charset.isSupported("x-unknown"))
    }

    @Test func encodedWords() {
        func d(_ s: String) -> String { EncodedWords.decode(Array(s.utf8)) }
        #expect(d("=?ISO-8859-1?Q?a?=") == "a")
        #expect(d("=?ISO-8859-1?Q?a?= b") == "a b")
        #expect(d("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=") == "ab")
        #expect(d("=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-2?Q?_b?=") == "a b")
        #expect(d("=?ISO-8859-1?Q?a_b?=") == "a b")
        #expect(d("(=?ISO-8859-1?Q?a?= b)") == "(a b)")
        #expect(d("=?UTF-8?B?8J+Q?= =?UTF-8?B?sQ==?=") == "🐱")  // a character split across words
        #expect(d("=?utf-8*en?q?caf=C3=A9?=") == "café")
        #expect(d("=?bogus?x?abc?=") == "=?bogus?x?abc?=")
        #expect(d("=?utf-8?q?unterminated") == "=?utf-8?q?unterminated")
        #expect(d("=?utf-8?q?has space?=") == "=?utf-8?q?has space?=")
        #expect(d("Grüße =?KOI8-R?B?8NLJ1w==?=") == "Grüße Прив")
        #expect(d("plain") == "plain")
        // RFC 2047 §6.2: a word in a charset without a converter stays as written, and so does the space around it.
        #expect(d("=?x-bogus?q?bogus=41?= w") == "=?x-bogus?q?bogus=41?= w")
        #expect(d("=?x-unknown?B?Y2Fm6SB1bmtub3du?=") == "=?x-unknown?B?Y2Fm6SB1bmtub3du?=")
        #expect(d("=?utf-8?q?a?= =?x-bogus?q?b?= =?utf-8?q?c?=") == "a =?x-bogus?q?b?= c")
        #expect(d("=?latin1?q?caf=E9?=") == "café")
    }

    @Test func decodedHeadersAndAddresses() {
        let m = MIMEMessage(
            mail(
                """
                From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.be>
                To: "Bob" <bob@x>, team: c@y;
                Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?UTF-8?Q?_aus_K=C3=B6ln?=

                """))
        #expect(m.decodedHeaderValue("subject") == "Grüße aus Köln")
        #expect(m.decodedHeaderValue("x-missing") == nil)
        #expect(m.searchableAddresses("from") == "André Pirard <pirard@example.be>")
        #expect(m.searchableAddresses("TO") == "Bob <bob@x>, team:, <c@y>")
    }

    @Test func rfc2231Parameters() {
        let m = MessageParser.parse(
            mail(
                """
                Content-Type: application/x-stuff;
                 title*1*=%2A%2A%2Afun%2A%2A%2A%20;
                 title*0*=us-ascii'en'This%20is%20even%20more%20;
                 title*2="isn't it!"; name*=UTF-8''%E2%82%AC.txt; plain=x
                Content-Disposition: attachment; filename*0="very long "; filename*1="name.txt"

                """))
        let p = m.root
        #expect(p.parameter("title") == "This is even more ***fun*** isn't it!")
        #expect(p.parameter("name") == "€.txt")
        #expect(p.parameter("plain") == "x")
        #expect(p.parameters.map(\.name) == ["title*", "name*", "plain"])
        #expect(str(p.parameters[0].value) == "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn't it!")
        #expect(p.fileName == "very long name.txt")
        #expect(MIMEParameters.decodeExtended(Array("iso-8859-1'fr'caf%E9".utf8)) == "café")
        let encodedName = MessageParser.parse(mail("Content-Type: text/plain; name=\"=?utf-8?q?=C3=A9.txt?=\"\n\n"))
        #expect(encodedName.root.parameter("name") == "é.txt")
    }
}
