import Foundation
import NIOCore
import Testing

@testable import IMAPWire

/// FETCH responses: every data item, ENVELOPE and BODYSTRUCTURE, and the streamed form.
@Suite struct FetchResponseEncodingTests {
    static func buffer(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }
    static func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    static let date = InternalDate(year: 2024, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480)!

    static let envelope = FetchEnvelope(
        date: b("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"), subject: b("IMAP4rev2 WG mtg summary and minutes"),
        from: [FetchAddress(name: b("Terry Gray"), adl: nil, mailbox: b("gray"), host: b("cac.washington.edu"))],
        to: [
            FetchAddress(name: nil, adl: nil, mailbox: b("imap"), host: b("cac.washington.edu")),
            FetchAddress(name: nil, adl: nil, mailbox: b("group"), host: nil),
            FetchAddress(name: nil, adl: nil, mailbox: nil, host: nil),
        ],
        inReplyTo: nil, messageID: b("<B27397-0100000@cac.washington.edu>"))

    static let envelopeText =
        "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\""
        + " ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL NIL"
        + " ((NIL NIL \"imap\" \"cac.washington.edu\")(NIL NIL \"group\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL"
        + " \"<B27397-0100000@cac.washington.edu>\")"

    static let textPart = FetchBody.singlePart(
        FetchSinglePart(
            type: b("TEXT"), subtype: b("PLAIN"),
            parameters: [FetchParameter(name: b("CHARSET"), value: b("US-ASCII"))],
            encoding: b("7BIT"), size: 3028, specific: .text(lines: 92)))

    static let attachment = FetchBody.singlePart(
        FetchSinglePart(
            type: b("application"), subtype: b("pdf"), parameters: [], id: b("<x@y>"), description: b("é"),
            encoding: b("base64"), size: 120, md5: nil,
            extension: FetchBodyExtension(
                dispositionType: b("attachment"),
                dispositionParameters: [FetchParameter(name: b("filename"), value: b("a.pdf"))],
                languages: [b("en"), b("de")], location: b("http://x/"))))

    static let inner = FetchBody.singlePart(
        FetchSinglePart(
            type: b("message"), subtype: b("rfc822"), encoding: b("7bit"), size: 10,
            specific: .message(envelope: FetchEnvelope(), body: textPart, lines: 2)))

    static let mixed = FetchBody.multipart(
        parts: [textPart, attachment, inner], subtype: b("mixed"),
        extension: FetchBodyExtension(parameters: [FetchParameter(name: b("boundary"), value: b("xyz"))]))

    static let fixtures: [([MessageAttribute], String)] = [
        (
            [.uid(4827313), .flags([.seen, .keyword("$Forwarded")]), .rfc822Size(44827), .modSeq(12121231000)],
            "UID 4827313 FLAGS (\\Seen $Forwarded) RFC822.SIZE 44827 MODSEQ (12121231000)"
        ),
        (
            [.internalDate(date), .saveDate(date), .saveDate(nil)],
            "INTERNALDATE \"07-Feb-2024 21:52:25 -0800\" SAVEDATE \"07-Feb-2024 21:52:25 -0800\" SAVEDATE NIL"
        ),
        (
            [.emailID("M6d99ac3275bb4e"), .threadID(nil), .threadID("T64b478a75b7ea9")],
            "EMAILID (M6d99ac3275bb4e) THREADID NIL THREADID (T64b478a75b7ea9)"
        ),
        (
            [.preview("Hello, a \"quoted\" word"), .preview(nil), .preview("")],
            "PREVIEW \"Hello, a \\\"quoted\\\" word\" PREVIEW NIL PREVIEW \"\""
        ),
        ([.envelope(envelope)], "ENVELOPE " + envelopeText),
        ([.envelope(FetchEnvelope())], "ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"),
        ([.body(textPart)], "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)"),
        (
            [.bodyStructure(textPart)],
            "BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL)"
        ),
        (
            [.body(mixed)],
            "BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)"
                + "(\"application\" \"pdf\" NIL \"<x@y>\" {2}\r\né \"base64\" 120)"
                + "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 10 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
                + " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) 2) \"mixed\")"
        ),
        (
            [.bodyStructure(mixed)],
            "BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL)"
                + "(\"application\" \"pdf\" NIL \"<x@y>\" {2}\r\né \"base64\" 120 NIL"
                + " (\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"de\") \"http://x/\")"
                + "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 10 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
                + " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL) 2"
                + " NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"xyz\") NIL NIL NIL)"
        ),
        ([.bodySection(SectionSpec(), origin: nil, data: buffer("Hi\r\n"))], "BODY[] {4}\r\nHi\r\n"),
        (
            [.bodySection(SectionSpec(part: [1, 2], kind: .mime), origin: 5, data: buffer("abc"))],
            "BODY[1.2.MIME]<5> {3}\r\nabc"
        ),
        (
            [.bodySection(SectionSpec(kind: .headerFields(["From", "To"])), origin: nil, data: nil)],
            "BODY[HEADER.FIELDS (From To)] NIL"
        ),
        (
            [.rfc822(buffer("x")), .rfc822Header(buffer("")), .rfc822Text(nil)],
            "RFC822 {1}\r\nx RFC822.HEADER {0}\r\n RFC822.TEXT NIL"
        ),
        (
            [
                .binary(part: [1], origin: nil, data: ByteBuffer(bytes: [0x61, 0, 0x62])),
                .binarySize(part: [1], size: 3),
            ],
            "BINARY[1] ~{3}\r\na\0b BINARY.SIZE[1] 3"
        ),
        (
            [.binary(part: [2, 1], origin: 7, data: buffer("ok")), .binary(part: [], origin: nil, data: nil)],
            "BINARY[2.1]<7> {2}\r\nok BINARY[] NIL"
        ),
        ([.uid(1), .encoded(.envelope, b("(NIL)")), .encoded(.flags, b("()"))], "UID 1 ENVELOPE (NIL) FLAGS ()"),
    ]

    @Test(arguments: fixtures.indices)
    func fixture(index: Int) {
        let (attributes, expected) = Self.fixtures[index]
        let response = ServerResponse.untagged(.fetch(FetchResponse(sequenceNumber: 12, attributes: attributes)))
        let written = ResponseEncoder().encode(response)
        #expect(Array(written.readableBytesView) == Array(("* 12 FETCH (" + expected + ")\r\n").utf8))
    }

    /// `encodeValue` gives what `encode` writes after the item's name, so kept values read back alike.
    @Test func encodedValuesEqualTheItemsTheyStandFor() {
        let encoder = ResponseEncoder()
        func item(_ attribute: MessageAttribute) -> [UInt8] {
            var b = ByteBuffer()
            encoder.encode(attribute, into: &b)
            return Array(b.readableBytesView)
        }
        #expect(item(.envelope(Self.envelope)) == item(.encoded(.envelope, encoder.encodeValue(Self.envelope))))
        #expect(item(.body(Self.mixed)) == item(.encoded(.body, encoder.encodeValue(Self.mixed, extensible: false))))
        #expect(
            item(.bodyStructure(Self.mixed))
                == item(.encoded(.bodyStructure, encoder.encodeValue(Self.mixed, extensible: true))))
        let flags: [Flag] = [.seen, .keyword("$x")]
        #expect(item(.flags(flags)) == item(.encoded(.flags, encoder.encodeValue(flags))))
    }

    /// A literal cannot carry NUL: message text sends it as 0x80 (sizes and offsets stay as stored).
    @Test func nulInMessageTextIsSentAs0x80() {
        let response = ServerResponse.untagged(
            .fetch(
                FetchResponse(
                    sequenceNumber: 1,
                    attributes: [.bodySection(SectionSpec(), origin: nil, data: ByteBuffer(bytes: [0x61, 0, 0x62]))])))
        let expected = Array("* 1 FETCH (BODY[] {3}\r\na".utf8) + [0x80] + Array("b)\r\n".utf8)
        #expect(Array(ResponseEncoder().encode(response).readableBytesView) == expected)
    }

    /// The streamed form gives the same bytes as the whole response, however the body is cut.
    @Test func streamedBodyEqualsWholeResponseForEveryChunking() {
        let body = Array("From: a@example.com\r\nSubject: hi\r\n\r\nHello, world.\r\n".utf8)
        let section = SectionSpec(part: [], kind: .complete)
        let whole = ResponseEncoder().encode(
            .untagged(
                .fetch(
                    FetchResponse(
                        sequenceNumber: 3,
                        attributes: [
                            .uid(9), .bodySection(section, origin: nil, data: ByteBuffer(bytes: body)), .flags([.seen]),
                        ]))))
        for chunk in 1...body.count {
            var writer = FetchResponseWriter()
            var out = ByteBuffer()
            writer.write(.start(sequenceNumber: 3), into: &out)
            writer.write(.attribute(.uid(9)), into: &out)
            writer.write(.streamingBegin(.bodySection(section, origin: nil), byteCount: body.count), into: &out)
            var offset = 0
            while offset < body.count {
                let end = min(body.count, offset + chunk)
                writer.write(.streamingBytes(Array(body[offset..<end])), into: &out)
                offset = end
            }
            writer.write(.streamingEnd, into: &out)
            writer.write(.attribute(.flags([.seen])), into: &out)
            writer.write(.finish, into: &out)
            #expect(out == whole, "chunk size \(chunk)")
        }
    }

    @Test func streamedBinaryWithNULIsALiteral8() {
        var writer = FetchResponseWriter()
        var out = ByteBuffer()
        writer.write(.start(sequenceNumber: 1), into: &out)
        writer.write(.streamingBegin(.binary(part: [1], origin: nil), byteCount: 3, containsNUL: true), into: &out)
        writer.write(.streamingBytes([0x61, 0, 0x62]), into: &out)
        writer.write(.streamingEnd, into: &out)
        writer.write(.finish, into: &out)
        #expect(Array(out.readableBytesView) == Array("* 1 FETCH (BINARY[1] ~{3}\r\na\0b)\r\n".utf8))
        let whole = ResponseEncoder().encode(
            .untagged(
                .fetch(
                    FetchResponse(
                        sequenceNumber: 1,
                        attributes: [.binary(part: [1], origin: nil, data: ByteBuffer(bytes: [0x61, 0, 0x62]))]))))
        #expect(out == whole)
    }
}

/// The fast writer of whole-mailbox FETCH lines gives the encoder's bytes.
@Suite struct FetchLinesWriterTests {
    @Test func linesEqualTheEncodersResponses() {
        let encoder = ResponseEncoder()
        let envelope = encoder.encodeValue(FetchResponseEncodingTests.envelope)
        let body = encoder.encodeValue(FetchResponseEncodingTests.mixed, extensible: false)
        let bodyStructure = encoder.encodeValue(FetchResponseEncodingTests.mixed, extensible: true)
        let kept = FetchLinesWriter.EncodedStructure(
            bytes: envelope + body + bodyStructure, envelope: 0..<envelope.count,
            body: envelope.count..<envelope.count + body.count,
            bodyStructure: envelope.count + body.count..<envelope.count + body.count + bodyStructure.count)
        let flags: [Flag] = [.seen, .recent, .keyword("$Junk")]
        let items: [FetchLinesWriter.Item] = [.uid, .flags, .modSeq, .envelope, .body, .bodyStructure]
        var lines = FetchLinesWriter(capacity: 64 * 1024)
        defer { lines.deallocate() }
        #expect(
            FetchLinesWriter.bound(items: items, flags: encoder.encodeValue(flags).count, structure: kept)
                < lines.capacity)
        lines.writeLine(
            items: items, sequenceNumber: 4_294_967_295, uid: 77, modSeq: UInt64.max, flags: encoder.encodeValue(flags),
            structure: kept)
        lines.writeLine(items: [.uid], sequenceNumber: 1, uid: 1, modSeq: 1, flags: [], structure: nil)
        var expected = encoder.encode(
            .untagged(
                .fetch(
                    FetchResponse(
                        sequenceNumber: 4_294_967_295,
                        attributes: [
                            .uid(77), .flags(flags), .modSeq(UInt64.max),
                            .envelope(FetchResponseEncodingTests.envelope),
                            .body(FetchResponseEncodingTests.mixed), .bodyStructure(FetchResponseEncodingTests.mixed),
                        ]))))
        encoder.encode(.untagged(.fetch(FetchResponse(sequenceNumber: 1, attributes: [.uid(1)]))), into: &expected)
        #expect(Array(lines.written) == Array(expected.readableBytesView))
        lines.reset()
        #expect(lines.count == 0)
    }
}
