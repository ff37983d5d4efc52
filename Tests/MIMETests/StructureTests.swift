import Testing

@testable import MIME

@Suite struct StructureTests {
    @Test func plainMessageRanges() {
        let bytes = mail("Subject: hi\nFrom: a@b.example\n\nbody line\n")
        let m = MessageParser.parse(bytes)
        #expect(m.root.header == 0..<34)
        #expect(m.root.body == 34..<45)
        #expect(m.root.type == "text" && m.root.subtype == "plain")
        #expect(!m.root.hasContentType)
        #expect(m.root.lineCount == 1)
        #expect(m.root.parts.isEmpty)
    }

    @Test func emptyInputAndHeaderOnly() {
        let empty = MessageParser.parse([])
        #expect(empty.root.header == 0..<0 && empty.root.body == 0..<0)
        let headerOnly = MessageParser.parse(mail("Subject: x"))
        #expect(headerOnly.root.header == 0..<10)
        #expect(headerOnly.root.body == 10..<10)
        let blankFirst = MessageParser.parse(mail("\nbody"))
        #expect(blankFirst.root.header == 0..<2 && blankFirst.root.body == 2..<6)
    }

    @Test func headerFieldsUnfoldedAndEightBit() {
        let bytes = mail("Subject: a\n b\n\tc\nX-Latin: caf\u{E9}\nno colon line\nTo : x@y\n\n")
        bytes.withUnsafeBufferPointer { b in
            let h = HeaderParser.parse(b, in: 0..<bytes.count)
            #expect(h.fields.count == 3)
            #expect(String(decoding: HeaderField.unfold(b, h.fields[0].value), as: UTF8.self) == "a b\tc")
            #expect(String(decoding: HeaderField.unfold(b, h.fields[1].value), as: UTF8.self) == "caf\u{E9}")
            #expect(h.fields[2].hasName("to", in: b))
        }
    }

    @Test func multipartPartsAndBoundaryLineBreaks() {
        let bytes = mail(
            """
            Content-Type: multipart/mixed; boundary=b

            preamble
            --b
            Content-Type: text/plain

            one
            --b

            two
            --b--
            epilogue
            """)
        let m = MIMEMessage(bytes)
        #expect(m.root.parts.count == 2)
        #expect(m.text([1], .body) == "one")
        #expect(m.text([1], .mime) == "Content-Type: text/plain\r\n\r\n")
        #expect(m.text([2], .body) == "two")
        #expect(m.text([2], .mime) == "\r\n")
    }

    @Test func nestedBoundariesAndMessageInside() {
        let bytes = mail(
            """
            Content-Type: multipart/mixed; boundary=o

            --o
            Content-Type: message/rfc822

            Subject: inner
            Content-Type: multipart/alternative; boundary=i

            --i
            Content-Type: text/plain

            p
            --i
            Content-Type: text/html

            h
            --i--
            --o--
            """)
        let m = MIMEMessage(bytes)
        let rfc822 = m.part([1])!
        #expect(rfc822.isMessage)
        #expect(rfc822.encapsulated?.envelope?.subject.map { String(decoding: $0, as: UTF8.self) } == "inner")
        #expect(rfc822.encapsulated?.parts.count == 2)
        #expect(m.text([1, 1], .body) == "p")
        #expect(m.text([1, 2], .body) == "h")
        #expect(m.text([1, 2], .mime) == "Content-Type: text/html\r\n\r\n")
        #expect(m.text([1], .header)?.hasPrefix("Subject: inner\r\n") == true)
        #expect(m.text([1], .text)?.hasSuffix("--i--") == true)
    }

    @Test func digestDefaultsToMessage() {
        let bytes = mail("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nx\n--d--\n")
        let m = MessageParser.parse(bytes)
        #expect(m.root.parts[0].type == "message" && m.root.parts[0].subtype == "rfc822")
        #expect(m.root.parts[0].parameters.isEmpty)
        #expect(m.root.parts[0].encapsulated?.envelope?.subject == Array("s".utf8))
    }

    @Test func bareLineFeeds() {
        let bytes = mail("Content-Type: multipart/mixed; boundary=x\n\n--x\n\na\nb\n--x--\n", crlf: false)
        let m = MIMEMessage(bytes)
        #expect(m.text([1], .body) == "a\nb")
        #expect(m.part([1])?.lineCount == 1)
    }

    @Test func encodedMessageIsNotParsed() {
        let m = MessageParser.parse(
            mail("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA==\n"))
        #expect(m.root.encapsulated?.envelope == Envelope())
        #expect(m.root.encapsulated?.body.count == 0)
    }

    @Test func mimeFieldsRead() {
        let m = MessageParser.parse(
            mail(
                """
                Content-Type: Text/Plain (c); charset="utf-8"; name="a b.txt"
                Content-Transfer-Encoding: Quoted-Printable (c)
                Content-ID: <id@x>
                Content-Description: d
                Content-MD5: m
                Content-Disposition: attachment; filename=x.txt
                Content-Language: en, (c) de-CH
                Content-Location: http://x/
                  y

                x
                """))
        let p = m.root
        #expect(p.type == "Text" && p.subtype == "Plain")
        #expect(p.charset == "utf-8")
        #expect(p.parameter("name") == "a b.txt")
        #expect(p.transferEncoding == .quotedPrintable)
        #expect(str(p.id) == "<id@x>" && str(p.description) == "d" && str(p.md5) == "m")
        #expect(str(p.disposition?.type) == "attachment")
        #expect(p.fileName == "x.txt")
        #expect(p.language?.map { String(decoding: $0, as: UTF8.self) } == ["en", "de-CH"])
        #expect(str(p.location) == "http://x/y")
    }

    @Test func unquotedBoundaryWithEquals() {
        let m = MessageParser.parse(
            mail("Content-Type: multipart/mixed; boundary=----=_Part_1\n\n------=_Part_1\n\nx\n------=_Part_1--\n"))
        #expect(m.root.parts.count == 1)
        #expect(m.root.parts[0].body.count == 1)
    }

    @Test func envelopeDefaultsAndGroups() {
        let m = MessageParser.parse(mail("From: A <a@x>\nReply-To:\nTo: g: b@x, c@x;\n\n"))
        let e = m.root.envelope!
        #expect(e.sender == e.from && e.replyTo == e.from)
        #expect(e.to.count == 4)
        #expect(e.to[0].isGroupStart && e.to[3].isGroupEnd)
        #expect(e.subject == nil && e.date == nil)
    }

    @Test func addressForms() {
        func parse(_ s: String) -> [String] {
            AddressParser.parse(Array(s.utf8)).map {
                "\(str($0.name) ?? "-")|\(str($0.adl) ?? "-")|\(str($0.mailbox) ?? "-")|\(str($0.host) ?? "-")"
            }
        }
        #expect(parse(#""Doe, J" <j@x>, k@y"#) == ["Doe, J|-|j|x", "-|-|k|y"])
        #expect(parse("<@a,@b:c@d>") == ["-|@a,@b|c|d"])
        #expect(parse(#""a b"@c"#) == ["-|-|a b|c"])
        #expect(parse("x@y (Name)") == ["Name|-|x|y"])
        #expect(parse("undisclosed-recipients:;") == ["-|-|undisclosed-recipients|-", "-|-|-|-"])
        #expect(parse("broken") == ["-|-|broken|MISSING_DOMAIN"])
        #expect(parse("<>") == ["-|-|MISSING_MAILBOX|MISSING_DOMAIN"])
        #expect(parse("=?utf-8?q?J=C3=B6rg?= <j@y>") == ["=?utf-8?q?J=C3=B6rg?=|-|j|y"])
        #expect(parse("") == [])
    }
}
