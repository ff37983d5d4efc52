import NIOCore
import Testing

@testable import IMAPWire

/// GETMETADATA and SETMETADATA (RFC 5464 §4.2, §4.3, §5), the METADATA response and its codes.
/// `Fixtures.valid` carries these commands through `ChunkingTests` and `RoundTripTests` too.
@Suite struct MetadataCommandTests {
    @Test func getMetadata() {
        #expect(
            command("a GETMETADATA \"\" /shared/comment\r\n")
                == .getMetadata(MailboxName(bytes("")), options: MetadataOptions(), entries: ["/shared/comment"]))
        #expect(
            command("a GETMETADATA (MAXSIZE 1024) INBOX (/shared/comment /private/comment)\r\n")
                == .getMetadata(
                    MailboxName(bytes("INBOX")), options: MetadataOptions(maxSize: 1024),
                    entries: ["/shared/comment", "/private/comment"]))
        #expect(
            command("a GETMETADATA (DEPTH infinity maxsize 5) x {8}\r\n/private\r\n")
                == .getMetadata(
                    MailboxName(bytes("x")), options: MetadataOptions(maxSize: 5, depth: .infinity),
                    entries: ["/private"]))
        #expect(
            command("a GETMETADATA (DEPTH 1) x /a\r\n")
                == .getMetadata(MailboxName(bytes("x")), options: MetadataOptions(depth: .one), entries: ["/a"]))
        #expect(
            command("a GETMETADATA (DEPTH 0) x /a\r\n")
                == .getMetadata(MailboxName(bytes("x")), options: MetadataOptions(depth: .zero), entries: ["/a"]))
    }

    @Test func setMetadata() {
        #expect(
            command("a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\ntwo lines.\n)\r\n")
                == .setMetadata(
                    MailboxName(bytes("INBOX")),
                    [MetadataEntryValue(entry: "/private/comment", value: bytes("My new comment across\ntwo lines.\n"))]
                ))
        #expect(
            command("a SETMETADATA \"\" (/private/comment NIL /shared/comment \"x\\\"y\")\r\n")
                == .setMetadata(
                    MailboxName(bytes("")),
                    [
                        MetadataEntryValue(entry: "/private/comment", value: nil),
                        MetadataEntryValue(entry: "/shared/comment", value: bytes("x\"y")),
                    ]))
        #expect(
            command("a SETMETADATA x (/shared/bin ~{3}\r\na\u{0}b /shared/e \"\")\r\n")
                == .setMetadata(
                    MailboxName(bytes("x")),
                    [
                        MetadataEntryValue(entry: "/shared/bin", value: [0x61, 0, 0x62]),
                        MetadataEntryValue(entry: "/shared/e", value: []),
                    ]))
    }

    @Test(arguments: [
        "a GETMETADATA\r\n", "a GETMETADATA INBOX\r\n", "a GETMETADATA INBOX ()\r\n", "a GETMETADATA () INBOX /a\r\n",
        "a GETMETADATA (DEPTH 2) INBOX /a\r\n", "a GETMETADATA (DEPTH) INBOX /a\r\n",
        "a GETMETADATA (MAXSIZE x) INBOX /a\r\n", "a GETMETADATA (MAXSIZE 1 MAXSIZE 2) INBOX /a\r\n",
        "a GETMETADATA (BOGUS 1) INBOX /a\r\n", "a GETMETADATA INBOX (/a\r\n", "a GETMETADATA INBOX /a /b\r\n",
        "a GETMETADATA (MAXSIZE 99999999999) INBOX /a\r\n", "a GETMETADATA (DEPTH 1)INBOX /a\r\n",
        "a SETMETADATA\r\n", "a SETMETADATA INBOX\r\n", "a SETMETADATA INBOX ()\r\n",
        "a SETMETADATA INBOX (/a)\r\n", "a SETMETADATA INBOX (/a \"x\"\r\n", "a SETMETADATA INBOX /a \"x\"\r\n",
        "a SETMETADATA INBOX (/a x)\r\n", "a SETMETADATA INBOX (/a {2}\r\na\u{0})\r\n",
        "a SETMETADATA INBOX (/a \"x\" )\r\n", "a SETMETADATA INBOX (/a \"x\") extra\r\n",
    ])
    func malformed(_ line: String) {
        expectError(line)
    }

    /// Every split of a stream of metadata commands, literals and literal8 among them, gives the
    /// events of the whole.
    @Test func everySplit() {
        let input = bytes(
            "a GETMETADATA (MAXSIZE 9 DEPTH 1) {5}\r\nINBOX ({8}\r\n/private /shared/x)\r\n"
                + "b SETMETADATA INBOX (/private/c {5+}\r\nab\ncd /shared/d ~{2}\r\n\u{0}z /shared/e NIL)\r\nc NOOP\r\n"
        )
        let whole = events(input)
        #expect(whole.filter { if case .command = $0 { true } else { false } }.count == 3)
        for split in 0...input.count {
            #expect(events(input, chunks: [split]) == whole, "split at \(split)")
        }
        #expect(eventsByteByByte(input) == whole)
    }

    @Test func responses() {
        let response = ServerResponse.untagged(
            .metadata(
                MetadataResponse(
                    mailbox: MailboxName(bytes("INBOX")),
                    entries: [
                        MetadataEntryValue(entry: "/shared/comment", value: bytes("Shared comment")),
                        MetadataEntryValue(entry: "/private/comment", value: bytes("two\nlines")),
                        MetadataEntryValue(entry: "/private/x", value: nil),
                        MetadataEntryValue(entry: "/private/bin", value: [0x61, 0]),
                    ])))
        #expect(
            String(buffer: ResponseEncoder().encode(response))
                == "* METADATA INBOX (/shared/comment \"Shared comment\" /private/comment {9}\r\ntwo\nlines"
                + " /private/x NIL /private/bin ~{2}\r\na\u{0})\r\n")
        let server = ServerResponse.untagged(
            .metadata(
                MetadataResponse(mailbox: MailboxName(bytes("")), entries: [MetadataEntryValue(entry: "/s", value: [])])
            ))
        #expect(String(buffer: ResponseEncoder().encode(server)) == "* METADATA \"\" (/s \"\")\r\n")
        let codes: [(MetadataResponseCode, String)] = [
            (.longEntries(2199), "METADATA LONGENTRIES 2199"), (.maxSize(1024), "METADATA MAXSIZE 1024"),
            (.tooMany, "METADATA TOOMANY"), (.noPrivate, "METADATA NOPRIVATE"),
        ]
        for (code, text) in codes {
            let tagged = ServerResponse.tagged(TaggedResponse(tag: "a", status: .no, code: .metadata(code), text: "x"))
            #expect(String(buffer: ResponseEncoder().encode(tagged)) == "a NO [\(text)] x\r\n")
        }
    }
}
