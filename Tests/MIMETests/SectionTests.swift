import Testing

@testable import MIME

/// RFC 9051 §6.4.5 part numbering, using the example message structure of that section (trimmed).
@Suite struct SectionTests {
    static let example = MIMEMessage(
        mail(
            """
            Subject: example
            Content-Type: multipart/mixed; boundary=top

            --top
            Content-Type: text/plain

            part 1
            --top
            Content-Type: application/octet-stream

            part 2
            --top
            Content-Type: message/rfc822

            Subject: part 3
            Content-Type: multipart/alternative; boundary=m3

            --m3
            Content-Type: text/plain

            3.1
            --m3
            Content-Type: application/octet-stream

            3.2
            --m3--
            --top
            Content-Type: image/gif

            part 4
            --top
            Content-Type: multipart/mixed; boundary=p5

            --p5
            Content-Type: image/gif

            4.1
            --p5
            Content-Type: message/rfc822

            Subject: 4.2

            4.2 body
            --p5--
            --top--
            """))

    @Test func numberedParts() {
        let m = Self.example
        #expect(m.text([1], .body) == "part 1")
        #expect(m.text([2], .body) == "part 2")
        #expect(m.text([3, 1], .body) == "3.1")
        #expect(m.text([3, 2], .body) == "3.2")
        #expect(m.text([4], .body) == "part 4")
        #expect(m.text([5, 1], .body) == "4.1")
        #expect(m.text([5, 2], .header) == "Subject: 4.2\r\n\r\n")
        #expect(m.text([5, 2], .text) == "4.2 body")
        #expect(m.text([5, 2, 1], .body) == "4.2 body")
        #expect(m.text([3], .header) == "Subject: part 3\r\nContent-Type: multipart/alternative; boundary=m3\r\n\r\n")
        #expect(m.text([3], .mime) == "Content-Type: message/rfc822\r\n\r\n")
        #expect(m.text([3, 1], .mime) == "Content-Type: text/plain\r\n\r\n")
    }

    @Test func topLevelSections() {
        let m = Self.example
        #expect(m.section([], .body)?.count == m.bytes.count)
        #expect(m.text([], .header)?.hasPrefix("Subject: example\r\n") == true)
        #expect(m.text([], .text)?.hasPrefix("--top\r\n") == true)
        #expect(m.section([], .mime) == nil)
    }

    @Test func nonexistentParts() {
        let m = Self.example
        #expect(m.section([0], .body) == nil)
        #expect(m.section([6], .body) == nil)
        #expect(m.section([1, 1], .body) == nil)
        #expect(m.section([3, 3], .body) == nil)
        #expect(m.section([1], .header) == nil)  // not message/rfc822
        #expect(m.section([4], .text) == nil)
        #expect(m.headerFields([2], names: ["subject"]) == nil)
    }

    @Test func singlePartMessage() {
        let m = MIMEMessage(mail("Subject: s\nContent-Type: text/plain\n\nhello\n"))
        #expect(m.text([1], .body) == "hello\r\n")
        #expect(m.text([1], .mime) == "Subject: s\r\nContent-Type: text/plain\r\n\r\n")
        #expect(m.section([2], .body) == nil)
        #expect(m.section([1, 1], .body) == nil)
    }

    @Test func topLevelMessageRFC822() {
        let m = MIMEMessage(mail("Content-Type: message/rfc822\n\nSubject: in\n\nbody"))
        #expect(m.text([1], .body) == "Subject: in\r\n\r\nbody")
        #expect(m.text([1], .header) == "Subject: in\r\n\r\n")
        #expect(m.text([1, 1], .body) == "body")
    }

    @Test func headerFieldsSelection() {
        let m = MIMEMessage(mail("From: a@b\nSubject: one\n two\nTo: c@d\nsubject: again\n\nbody"))
        #expect(str(m.headerFields([], names: ["SUBJECT"])) == "Subject: one\r\n two\r\nsubject: again\r\n\r\n")
        #expect(str(m.headerFields([], names: ["subject"], not: true)) == "From: a@b\r\nTo: c@d\r\n\r\n")
        #expect(str(m.headerFields([], names: ["x-none"])) == "\r\n")
        #expect(str(Self.example.headerFields([3], names: ["subject"])) == "Subject: part 3\r\n\r\n")
        let noBreak = MIMEMessage(Array("Subject: end".utf8))
        #expect(str(noBreak.headerFields([], names: ["subject"])) == "Subject: end\r\n\r\n")
    }
}
