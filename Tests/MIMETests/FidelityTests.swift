import Testing

@testable import MIME

/// The choices Tests/mime-diff checks against Dovecot, one behaviour per test: BINARY of sections that hold
/// parts, the headers and bodies SEARCH reads, and envelopes of headers with repeated fields.
@Suite struct FidelityTests {
    static let mixed = mail(
        "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\npre\n--b\n"
            + "Content-Type: text/plain\nContent-Transfer-Encoding: base64\nX-After: 1\n\naGVsbG8=\n--b\n"
            + "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n--b\n"
            + "Content-Type: text/plain\n\nplain\n--b--\nepi\n")

    @Test func binaryOfWholeMessageDecodesEveryPartAndRewritesItsHeader() {
        let m = MIMEMessage(Self.mixed)
        let expected = mail(
            "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\npre\n--b\n"
                + "Content-Type: text/plain\nX-After: 1\nContent-Transfer-Encoding: binary\n\nhello\n--b\n"
                + "Content-Type: text/plain\nContent-Transfer-Encoding: binary\n\ncaf\u{E9}\n--b\n"
                + "Content-Type: text/plain\n\nplain\n--b--\nepi\n")
        // "hello" and "café" are the decoded bodies: no line break of their own (the CRLF before a delimiter
        // belongs to the delimiter).
        #expect(str(m.binarySection([])) == str(expected))
        #expect(str(m.binarySection([1])) == "hello")
        #expect(m.binarySection([9]) == nil)
    }

    @Test func binaryOfAttachedMessageIsThatMessageDecoded() {
        let bytes = mail(
            "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\n"
                + "Subject: inner\nContent-Transfer-Encoding: base64\n\naGk=\n--o--\n")
        let m = MIMEMessage(bytes)
        #expect(
            str(m.binarySection([1])) == (str(mail("Subject: inner\nContent-Transfer-Encoding: binary\n\n")) ?? "")
                + "hi")
    }

    @Test func binaryWithUnknownEncodingInsideIsUndecodable() {
        let bytes = mail(
            "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Transfer-Encoding: x-weird\n\nzz\n--o--\n")
        let m = MIMEMessage(bytes)
        #expect(m.binarySection([]) == nil)
        #expect(m.binarySection([1]) == nil)
    }

    @Test func binaryHeaderWithoutBlankLineGetsTheFieldAtItsEnd() {
        let m = MIMEMessage(mail("Content-Transfer-Encoding: base64\nSubject: x", crlf: true))
        #expect(str(m.binarySection([])) == str(mail("Subject: x\nContent-Transfer-Encoding: binary\n")))
    }

    @Test func searchHeadersIncludePartAndAttachedMessageHeaders() {
        let bytes = mail(
            "Subject: outer\nContent-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\n"
                + "Subject: innerword\n\nbody\n--o\nContent-Type: text/plain\nX-Part: partword\n\nt\n--o--\n")
        let m = MIMEMessage(bytes)
        let headers = m.headerRanges.map { String(decoding: m.bytes[$0], as: UTF8.self) }
        #expect(headers.count == 4)
        #expect(headers.contains { $0.contains("innerword") })
        #expect(headers.contains { $0.contains("partword") })
    }

    @Test func searchBodiesSkipUnknownEncodingsAndReadMessageTypes() {
        let bytes = mail(
            "Content-Type: multipart/report; boundary=r\n\n--r\nContent-Transfer-Encoding: x-uuencode\n\nbegin\n"
                + "--r\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@y\n"
                + "--r\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA==\n--r--\n")
        let m = MIMEMessage(bytes)
        #expect(m.textParts.map { "\($0.type)/\($0.subtype)" } == ["message/delivery-status", "message/rfc822"])
    }

    @Test func repeatedAddressFieldsAreMergedOtherFieldsTakeTheLast() {
        let m = MIMEMessage(
            mail(
                "To:\nTo: a@x.example\nCc: b@x.example\nCc: c@x.example\nSubject: one\nSubject: two\n"
                    + "Date: d1\nDate: d2\nMessage-ID: <1@x>\nMessage-ID: <2@x>\n\n"))
        #expect(m.envelope.to.map { str($0.mailbox) } == ["a"])
        #expect(m.envelope.cc.map { str($0.mailbox) } == ["b", "c"])
        #expect(str(m.envelope.subject) == "two")
        #expect(str(m.envelope.date) == "d2")
        #expect(str(m.envelope.messageID) == "<2@x>")
    }

    @Test func subjectWhiteSpaceCollapsedOtherFieldsKeepTrailingSpace() {
        let m = MIMEMessage(
            mail("Subject:  a\n \tb  c\t \nDate: Tue, 1 Jan 2030 \nMessage-ID: <x@y>\n  (c)\nIn-Reply-To:\n <p@q>\n\n"))
        #expect(str(m.envelope.subject) == "a b c")
        #expect(str(m.envelope.date) == "Tue, 1 Jan 2030 ")
        #expect(str(m.envelope.messageID) == "<x@y>  (c)")
        #expect(str(m.envelope.inReplyTo) == " <p@q>")
        // A first line of only white space loses one character of it (Dovecot 2.3.19 answers " \t<p@q> ").
        let blank = MIMEMessage(mail("In-Reply-To:  \n\t<p@q> \nDate:\n   x\n\n"))
        #expect(str(blank.envelope.inReplyTo) == " \t<p@q> ")
        #expect(str(blank.envelope.date) == "   x")
    }

    @Test func utf7TextAndEncodedWords() {
        // RFC 2152 §1's examples, the "+-" escape, an unterminated shift at the end, a stray 8-bit byte.
        #expect(Charset.decode(Array("Hi Mom -+Jjo--!".utf8), charset: "UTF-7") == "Hi Mom -\u{263A}-!")
        #expect(Charset.decode(Array("+ZeVnLIqe-".utf8), charset: "utf7") == "\u{65E5}\u{672C}\u{8A9E}")
        #expect(Charset.decode(Array("A+ImIDkQ.".utf8), charset: "unicode-1-1-utf-7") == "A\u{2262}\u{391}.")
        #expect(Charset.decode(Array("1 +- 1".utf8), charset: "utf-7") == "1 + 1")
        #expect(Charset.decode(Array("caf+AOk".utf8), charset: "utf-7") == "caf\u{E9}")
        #expect(Charset.decode([0x61, 0xE9], charset: "utf-7") == "a\u{E9}")
        #expect(Charset.isSupported("UTF-7"))
        #expect(EncodedWords.decode(Array("=?utf-7?Q?caf+AOk-?=".utf8)) == "caf\u{E9}")
        let m = MIMEMessage(mail("Content-Type: text/plain; charset=utf-7\n\nna+AO8-ve\n"))
        #expect(String(decoding: m.decodedTextUTF8(of: m.root), as: UTF8.self) == "na\u{EF}ve\r\n")
        #expect(m.withDecodedTextUTF8(of: m.root) { String(decoding: $0, as: UTF8.self) } == "na\u{EF}ve\r\n")
    }

    @Test func commentsAroundTheSlashOfContentType() {
        let m = MessageParser.parse(mail("Content-Type: text(x)/(y)html (z); charset=utf-8\n\nt\n"))
        #expect(m.root.type == "text" && m.root.subtype == "html")
        #expect(MIMEParameters.rawValue(of: "charset", in: m.root.parameters) == Array("utf-8".utf8))
    }

    @Test func plainAndExtendedParameterBothKeptExtendedPreferred() {
        let m = MessageParser.parse(
            mail("Content-Type: application/octet-stream; name=\"plain.bin\"; name*=utf-8''f%C3%A9.bin\n\nx\n"))
        #expect(m.root.parameters.map(\.name) == ["name", "name*"])
        #expect(m.root.parameter("name") == "f\u{E9}.bin")
        let sections = MessageParser.parse(mail("Content-Type: a/b; name*1=\"2\"; name=p; name*0=\"1\"\n\nx\n"))
        #expect(sections.root.parameters.map(\.name) == ["name"])
        #expect(sections.root.parameters.map { String(decoding: $0.value, as: UTF8.self) } == ["12"])
    }

    @Test func adjacentISO2022JPEncodedWordsJoin() {
        let word = "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?="
        #expect(
            EncodedWords.decode(Array("Re: TEST \t\(word)  \(word)".utf8))
                == "Re: TEST \t\u{30C6}\u{30B9}\u{30C8}\u{30C6}\u{30B9}\u{30C8}")
        #expect(
            Charset.droppingRedundantShifts([0x1B, 0x28, 0x42, 0x1B, 0x24, 0x42, 0x41]) == [0x1B, 0x24, 0x42, 0x41])
        #expect(Charset.droppingRedundantShifts([0x61, 0x1B, 0x28, 0x42]) == [0x61, 0x1B, 0x28, 0x42])
    }
}
