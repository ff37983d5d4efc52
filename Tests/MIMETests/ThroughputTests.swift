import Foundation
import Testing

@testable import MIME

/// Throughput figures (printed, never asserted): run with `swift test -c release` for real numbers.
@Suite struct ThroughputTests {
    static func bigMessage(attachments: Int, targetSize: Int) -> [UInt8] {
        var text = "From: Big <big@example.com>\nTo: you@example.com\nSubject: 100 attachments\n"
        text += "Content-Type: multipart/mixed; boundary=\"=_big_boundary\"\n\n"
        text += "--=_big_boundary\nContent-Type: text/plain; charset=utf-8\n\nSee the attachments.\n"
        let perAttachment = targetSize / attachments
        let line = String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", count: 2).prefix(76) + "\n"
        let body = String(repeating: String(line), count: perAttachment / line.utf8.count)
        for i in 0..<attachments {
            text += "--=_big_boundary\nContent-Type: application/octet-stream; name=\"file\(i).bin\"\n"
            text += "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"file\(i).bin\"\n\n"
            text += body
        }
        text += "--=_big_boundary--\n"
        return mail(text)
    }

    static func ordinaryMessage(_ i: Int) -> [UInt8] {
        mail(
            """
            Return-Path: <sender\(i)@example.com>
            Received: from mx.example.com (mx.example.com [192.0.2.1]) by mail.example.org with ESMTPS id \(i)
            From: Sender \(i) <sender\(i)@example.com>
            To: Receiver <rcpt@example.org>, Other <other@example.org>
            Subject: =?UTF-8?Q?Message_number_\(i)_=E2=80=94_status?=
            Date: Mon, 1 Jan 2024 00:00:00 +0000
            Message-ID: <\(i)@example.com>
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="alt\(i)"

            --alt\(i)
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            \(String(repeating: "Some ordinary text in a message body, line after line.\n", count: 40))
            --alt\(i)
            Content-Type: text/html; charset=utf-8

            <html><body>\(String(repeating: "<p>Some ordinary text in a message body.</p>\n", count: 40))</body></html>
            --alt\(i)--
            """)
    }

    @Test func throughput() {
        let big = Self.bigMessage(attachments: 100, targetSize: 10_000_000)
        var start = Date()
        let parsed = MessageParser.parse(big)
        var seconds = Date().timeIntervalSince(start)
        #expect(parsed.root.parts.count == 101)
        print(
            String(
                format: "MIME throughput: %.1f MB message, 100 attachments: %.1f ms, %.0f MB/s",
                Double(big.count) / 1e6,
                seconds * 1000, Double(big.count) / 1e6 / seconds))

        let small = (0..<10_000).map(Self.ordinaryMessage)
        let total = small.reduce(0) { $0 + $1.count }
        start = Date()
        var parts = 0
        for m in small { parts += MessageParser.parse(m).root.parts.count }
        seconds = Date().timeIntervalSince(start)
        #expect(parts == 20_000)
        print(
            String(
                format: "MIME throughput: 10,000 ordinary messages (%.1f MB): %.0f ms, %.0f messages/s, %.0f MB/s",
                Double(total) / 1e6, seconds * 1000, 10_000 / seconds, Double(total) / 1e6 / seconds))
    }
}
