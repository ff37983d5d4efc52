import Testing

@testable import IMAPWire

@Suite struct FetchTests {
    func atts(_ text: String) -> [FetchAttribute]? {
        guard case .fetch(_, let atts, _, _)? = command("a FETCH 1 \(text)\r\n") else { return nil }
        return atts
    }

    @Test func macros() {
        #expect(atts("ALL") == [.flags, .internalDate, .rfc822Size, .envelope])
        #expect(atts("fast") == [.flags, .internalDate, .rfc822Size])
        #expect(atts("FULL") == [.flags, .internalDate, .rfc822Size, .envelope, .body])
        expectError("a FETCH 1 (ALL)\r\n")
    }

    @Test(arguments: [
        ("ENVELOPE", FetchAttribute.envelope), ("FLAGS", .flags), ("INTERNALDATE", .internalDate), ("RFC822", .rfc822),
        ("RFC822.HEADER", .rfc822Header), ("RFC822.SIZE", .rfc822Size), ("rfc822.text", .rfc822Text), ("BODY", .body),
        ("BODYSTRUCTURE", .bodyStructure), ("UID", .uid), ("MODSEQ", .modSeq),
        ("BODY[]", .bodySection(peek: false, section: SectionSpec(), partial: nil)),
        (
            "BODY.PEEK[]<0.10>",
            .bodySection(peek: true, section: SectionSpec(), partial: PartialRange(offset: 0, length: 10))
        ),
        ("BODY[HEADER]", .bodySection(peek: false, section: SectionSpec(kind: .header), partial: nil)),
        ("BODY[TEXT]", .bodySection(peek: false, section: SectionSpec(kind: .text), partial: nil)),
        ("BODY[1.2]", .bodySection(peek: false, section: SectionSpec(part: [1, 2]), partial: nil)),
        ("BODY[1.2.MIME]", .bodySection(peek: false, section: SectionSpec(part: [1, 2], kind: .mime), partial: nil)),
        ("BODY[3.HEADER]", .bodySection(peek: false, section: SectionSpec(part: [3], kind: .header), partial: nil)),
        (
            "BODY[3.TEXT]<5.6>",
            .bodySection(
                peek: false, section: SectionSpec(part: [3], kind: .text), partial: PartialRange(offset: 5, length: 6))
        ),
        (
            "BODY[HEADER.FIELDS (From \"To\" {2}\r\nCc)]",
            .bodySection(peek: false, section: SectionSpec(kind: .headerFields(["From", "To", "Cc"])), partial: nil)
        ),
        (
            "BODY.PEEK[2.HEADER.FIELDS.NOT (X)]",
            .bodySection(peek: true, section: SectionSpec(part: [2], kind: .headerFieldsNot(["X"])), partial: nil)
        ),
        ("BINARY[]", .binary(peek: false, part: [], partial: nil)),
        ("BINARY.PEEK[1.2]<0.1>", .binary(peek: true, part: [1, 2], partial: PartialRange(offset: 0, length: 1))),
        ("BINARY.SIZE[3]", .binarySize(part: [3])),
    ])
    func attribute(text: String, expected: FetchAttribute) {
        #expect(atts(text) == [expected])
        #expect(atts("(UID \(text))") == [.uid, expected])
    }

    @Test(arguments: [
        "", "()", "(FLAGS", "FLAGS)", "BODY.PEEK", "BODY[MIME]", "BODY[0]", "BODY[1.0]", "BODY[HEADER.FIELDS ()]",
        "BODY[HEADER.FIELDS]", "BODY[1.]", "BODY[]<0.0>", "BODY[]<1>", "BODY[]<a.b>", "BODY[FOO]", "BINARY[TEXT]",
        "BINARY.SIZE[]<0.1>", "BINARY", "FOO", "(FLAGS  UID)", "BODY[HEADER", "RFC822.FOO", "BODY[1.MIME.TEXT]",
    ])
    func malformed(text: String) {
        expectError("a FETCH 1 \(text)\r\n")
    }

    @Test func modifiersAndUID() {
        #expect(
            command("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5 VANISHED)\r\n")
                == .fetch(.all, [.flags], modifiers: [.changedSince(5), .vanished], uid: true))
        #expect(command("a FETCH $ FLAGS\r\n") == .fetch(.lastCommandResult, [.flags], modifiers: [], uid: false))
        expectError("a FETCH 1 FLAGS (FOO)\r\n")
        expectError("a FETCH 1 FLAGS ()\r\n")
    }

    @Test(arguments: ["0", "0:3", "3:0", "1,,2", "a", ":", "1:", "4294967296", "1.2", "-1"])
    func badSequenceSets(set: String) {
        expectError("a FETCH \(set) FLAGS\r\n")
    }

    @Test func sequenceSets() {
        let parsed = command("a FETCH 1,2:*,*:4,4294967295 UID\r\n")
        guard case .fetch(let set, _, _, _)? = parsed else {
            Issue.record("not a FETCH: \(String(describing: parsed))")
            return
        }
        #expect(
            set
                == .ranges([
                    SequenceRange(1...1), SequenceRange(.number(2), .last), SequenceRange(.last, .number(4)),
                    SequenceRange(.number(UInt32.max)),
                ]))
    }
}
