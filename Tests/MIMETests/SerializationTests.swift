import Testing

@testable import MIME

@Suite struct SerializationTests {
    static let messages: [[UInt8]] = [
        mail("Subject: plain\n\nx"),
        SectionTests.example.bytes,
        mail(
            """
            From: "A, B" <a@b>, g: c@d;
            Subject: =?utf-8?q?x?=
            Content-Type: multipart/mixed; boundary=z; x*0*=utf-8''%C3%A9
            Content-Language: en

            --z
            Content-Type: text/plain; charset=koi8-r
            Content-Disposition: attachment; filename="f"
            Content-ID: <i>
            Content-Description: caf\u{E9}
            Content-MD5: m
            Content-Location: l

            x
            --z
            Content-Transfer-Encoding: 7-bit

            y
            --z
            Content-Transfer-Encoding: base64
            Content-Transfer-Encoding: quoted-printable;

            z
            --z--
            """),
        [],
    ]

    @Test func roundTrip() throws {
        for bytes in Self.messages {
            let parsed = MessageParser.parse(bytes)
            let data = parsed.serialized()
            let back = try #require(ParsedMessage(serialized: data))
            #expect(back == parsed)
        }
    }

    @Test func compact() {
        let parsed = MessageParser.parse(SectionTests.example.bytes)
        #expect(parsed.serialized().count < 600)
        print("serialised structure: \(parsed.serialized().count) bytes for a \(parsed.size)-byte, 9-part message")
    }

    @Test func damagedOrOtherVersionIsRejected() {
        let data = MessageParser.parse(Self.messages[1]).serialized()
        #expect(ParsedMessage(serialized: []) == nil)
        #expect(ParsedMessage(serialized: [99] + data.dropFirst()) == nil)
        #expect(ParsedMessage(serialized: data + [0]) == nil)
        for cut in stride(from: 0, to: data.count, by: 7) {
            #expect(ParsedMessage(serialized: Array(data.prefix(cut))) == nil)
        }
        var flipped = data
        for i in stride(from: 1, to: flipped.count, by: 3) {
            flipped[i] ^= 0xFF
            _ = ParsedMessage(serialized: flipped)  // must not trap
        }
    }
}
