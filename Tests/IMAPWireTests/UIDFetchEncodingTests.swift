import NIOCore
import Testing

@testable import IMAPWire

/// UIDONLY (RFC 9586 §3.3, §3.2): uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att from each of the
/// three FETCH writers, the same bytes from all, and the UIDREQUIRED code.
@Suite struct UIDFetchEncodingTests {
    @Test func wholeResponse() {
        let response = ServerResponse.untagged(
            .fetch(FetchResponse(sequenceNumber: 25_995, attributes: [.uid(25_995), .flags([.seen])], uidFetch: true)))
        #expect(String(buffer: ResponseEncoder().encode(response)) == "* 25995 UIDFETCH (UID 25995 FLAGS (\\Seen))\r\n")
    }

    @Test func streamedResponseEqualsWhole() {
        let section = SectionSpec(part: [], kind: .text)
        let whole = ResponseEncoder().encode(
            .untagged(
                .fetch(
                    FetchResponse(
                        sequenceNumber: 7,
                        attributes: [.uid(7), .bodySection(section, origin: nil, data: ByteBuffer(string: "hi"))],
                        uidFetch: true))))
        var writer = FetchResponseWriter()
        var out = ByteBuffer()
        writer.write(.start(sequenceNumber: 7, uidFetch: true), into: &out)
        writer.write(.attribute(.uid(7)), into: &out)
        writer.write(.streamingBegin(.bodySection(section, origin: nil), byteCount: 2), into: &out)
        writer.write(.streamingBytes(Array("hi".utf8)), into: &out)
        writer.write(.streamingEnd, into: &out)
        writer.write(.finish, into: &out)
        #expect(out == whole)
        #expect(String(buffer: out).hasPrefix("* 7 UIDFETCH (UID 7 BODY[TEXT] {2}\r\nhi)"))
    }

    @Test func lineWriterNumbersByUID() {
        var lines = FetchLinesWriter(capacity: 4096)
        defer { lines.deallocate() }
        let flags = ResponseEncoder().encodeValue([Flag.seen])
        lines.writeLine(
            items: [.uid, .flags], sequenceNumber: 3, uid: 41, modSeq: 1, flags: flags, structure: nil, uidFetch: true)
        lines.writeLine(items: [.flags], sequenceNumber: 4, uid: 42, modSeq: 1, flags: flags, structure: nil)
        #expect(
            String(decoding: lines.written, as: UTF8.self)
                == "* 41 UIDFETCH (UID 41 FLAGS (\\Seen))\r\n* 4 FETCH (FLAGS (\\Seen))\r\n")
    }

    @Test func uidRequiredCode() {
        let tagged = ServerResponse.tagged(TaggedResponse(tag: "b1", status: .bad, code: .uidRequired, text: "UIDs"))
        #expect(String(buffer: ResponseEncoder().encode(tagged)) == "b1 BAD [UIDREQUIRED] UIDs\r\n")
    }
}
