import Foundation
import MIME
import Testing

@testable import Delivery

@Suite struct VacationReplyTests {
    func reply(
        subject: String? = nil, original: String? = "Lunch?", mime: Bool = false, reason: String = "Away."
    )
        -> VacationReply
    {
        VacationReply(
            from: "me@example.net", to: "you@example.com", subject: subject, originalSubject: original,
            originalMessageID: "<1@example.com>", originalReferences: "<0@example.com>", reason: reason, mime: mime)
    }

    func text(_ reply: VacationReply) -> String {
        String(decoding: reply.message(hostName: "mx.example.net", date: Date(timeIntervalSince1970: 0)), as: UTF8.self)
    }

    @Test func headersOfAnAutoReply() {
        let message = text(reply())
        for line in [
            "From: me@example.net", "To: <you@example.com>", "Subject: Auto: Lunch?",
            "Date: Thu, 01 Jan 1970 00:00:00 +0000", "In-Reply-To: <1@example.com>",
            "References: <0@example.com> <1@example.com>", "Auto-Submitted: auto-replied (vacation)",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit",
        ] {
            #expect(message.contains("\r\n\(line)\r\n") || message.hasPrefix("\(line)\r\n"), "\(line)")
        }
        #expect(message.hasSuffix("\r\n\r\nAway.\r\n"))
        #expect(message.contains("Message-ID: <") && message.contains("@mx.example.net>\r\n"))
    }

    @Test func subjectRules() {
        #expect(reply(subject: "Gone fishing").subjectLine == "Gone fishing")
        #expect(reply(original: "Auto: out").subjectLine == "Auto: out")
        #expect(reply(original: nil).subjectLine == "Automated reply")
        #expect(reply(original: "  ").subjectLine == "Automated reply")
    }

    @Test func nonASCIISubjectIsEncodedAndDecodesBack() throws {
        let subject = String(repeating: "Grüße aus dem Urlaub — ", count: 4)
        let message = text(reply(subject: subject, reason: "Bin weg, zurück am 5."))
        let field = try #require(message.components(separatedBy: "\r\n\r\n").first?.components(separatedBy: "\r\n"))
        let start = try #require(field.firstIndex { $0.hasPrefix("Subject: ") })
        var lines = [field[start]]
        for line in field[(start + 1)...] {
            guard line.hasPrefix(" ") else { break }
            lines.append(line)
        }
        #expect(lines.count > 1 && lines.allSatisfy { $0.utf8.count <= 78 && $0.allSatisfy(\.isASCII) })
        let value = lines.joined(separator: "\r\n").dropFirst("Subject: ".count)
        #expect(EncodedWords.decode(Array(value.utf8)) == subject)
        #expect(message.contains("Content-Transfer-Encoding: 8bit"))
    }

    @Test func nothingFromTheOriginalCanAddHeaderFields() {
        var evil = reply(subject: "hi\r\nBcc: victim@example.org")
        evil.originalMessageID = "<1@x>\r\nX-Injected: yes"
        let message = text(evil)
        #expect(!message.contains("\r\nBcc:") && !message.contains("\r\nX-Injected:"))
    }

    @Test func mimeReasonBringsItsOwnHeaders() {
        let message = text(reply(mime: true, reason: "Content-Type: text/html\n\n<p>Away</p>"))
        #expect(message.contains("MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p>Away</p>\r\n"))
        #expect(!message.contains("charset=utf-8"))
    }
}
