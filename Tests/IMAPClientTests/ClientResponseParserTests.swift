import Foundation
import Testing

@testable import IMAPClient

@Suite struct ClientResponseParserTests {
    func one(_ text: String) throws -> ClientResponse {
        let responses = try parseAll(text)
        #expect(responses.count == 1)
        return responses[0]
    }

    @Test func greetingWithCapabilities() throws {
        guard
            case .untagged(.condition(.ok, .capability(let names)?, let text)) =
                try one("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.\r\n")
        else { throw Failure() }
        #expect(names == ["IMAP4rev1", "STARTTLS", "AUTH=PLAIN"])
        #expect(text == "Dovecot ready.")
    }

    @Test func taggedAndContinuation() throws {
        guard
            case .tagged("M3", .no, .other("AUTHENTICATIONFAILED"), "Authentication failed.") =
                try one("M3 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
        else { throw Failure() }
        guard case .tagged("M4", .ok, nil, "") = try one("M4 OK\r\n") else { throw Failure() }
        guard case .continuation("") = try one("+ \r\n") else { throw Failure() }
        guard case .continuation("go on") = try one("+ go on\r\n") else { throw Failure() }
    }

    @Test func selectCodes() throws {
        let responses = try parseAll(
            "* FLAGS (\\Answered \\Seen $Forwarded)\r\n* OK [PERMANENTFLAGS ()] Read-only.\r\n* 12 EXISTS\r\n"
                + "* 0 RECENT\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT 13] Predicted\r\n"
                + "* OK [HIGHESTMODSEQ 18446744073709551615] Highest\r\n* OK [NOMODSEQ] none\r\n")
        guard case .untagged(.other("FLAGS")) = responses[0], case .untagged(.exists(12)) = responses[2],
            case .untagged(.other("RECENT")) = responses[3],
            case .untagged(.condition(.ok, .uidValidity(1_700_000_000)?, _)) = responses[4],
            case .untagged(.condition(.ok, .uidNext(13)?, _)) = responses[5],
            case .untagged(.condition(.ok, .highestModSeq(UInt64.max)?, _)) = responses[6],
            case .untagged(.condition(.ok, .noModSeq?, "none")) = responses[7]
        else { throw Failure() }
    }

    @Test func listAndLsub() throws {
        let responses = try parseAll(
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n* LIST (\\Noselect) \".\" Archive\r\n"
                + "* LSUB () NIL {9}\r\nF\"r &AOk-\r\n* LIST () \"\\\\\" \"a\\\"b\"\r\n")
        guard case .untagged(.list(let sent)) = responses[0], case .untagged(.list(let archive)) = responses[1],
            case .untagged(.lsub(let literal)) = responses[2], case .untagged(.list(let escaped)) = responses[3]
        else { throw Failure() }
        #expect(
            sent
                == ListEntry(
                    attributes: ["\\HasNoChildren", "\\Sent"], delimiter: 0x2F, name: Array("Sent Items".utf8)))
        #expect(archive.hasAttribute("\\NOSELECT") && archive.delimiter == UInt8(ascii: "."))
        #expect(literal.delimiter == nil && literal.name == Array("F\"r &AOk-".utf8))
        #expect(escaped.delimiter == UInt8(ascii: "\\") && escaped.name == Array("a\"b".utf8))
    }

    @Test func fetchItems() throws {
        let text =
            "* 4 FETCH (UID 42 RFC822.SIZE 11 FLAGS (\\Seen $Label1 \\Recent) INTERNALDATE \" 7-Mar-2024 13:05:09 -0830\" "
            + "MODSEQ (99) BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 11 1) BODY[HEADER.FIELDS (A B)] {2}\r\n"
            + "ab BODY[] {12}\r\nHello\r\nWorld)\r\n"
        for chunks in everyChunking(Array(text.utf8)) {
            let framed = try frame(Array(text.utf8), chunks: chunks)
            guard case .untagged(.fetch(4, let data)) = try ClientResponseParser.parse(framed[0]) else {
                throw Failure()
            }
            #expect(data.uid == 42 && data.size == 11 && data.modSeq == 99)
            #expect(data.flags == ["\\Seen", "$Label1", "\\Recent"])
            #expect(data.internalDateZone == -510)
            #expect(data.internalDate == Date(timeIntervalSince1970: 1_709_816_709 + 510 * 60))
            #expect(literalBytes(data.body) == Array("Hello\r\nWorld".utf8))
        }
    }

    @Test func fetchWithNilBodyAndStatusAndSearch() throws {
        let responses = try parseAll(
            "* 1 FETCH (BODY[] NIL UID 3)\r\n* STATUS \"INBOX\" (MESSAGES 231 UIDNEXT 44292)\r\n* SEARCH 2 84 882\r\n"
                + "* SEARCH\r\n* BYE shutting down\r\n")
        guard case .untagged(.fetch(1, let data)) = responses[0], data.body == nil, data.uid == 3,
            case .untagged(.status(let name, let items)) = responses[1], name == Array("INBOX".utf8),
            items == ["MESSAGES": 231, "UIDNEXT": 44292], case .untagged(.search([2, 84, 882])) = responses[2],
            case .untagged(.search([])) = responses[3],
            case .untagged(.condition(.bye, nil, "shutting down")) = responses[4]
        else { throw Failure() }
    }

    @Test func namespaces() throws {
        let responses = try parseAll(
            "* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\"))\r\n* NAMESPACE ((\"\" \"/\")(\"x\" NIL)) NIL NIL\r\n"
                + "* NAMESPACE NIL NIL NIL\r\n* NAMESPACE ((\"\" NIL \"X-PARAM\" (\"a\"))) NIL NIL\r\n")
        guard case .untagged(.namespace(Array("INBOX.".utf8)?, UInt8(ascii: ".")?)) = responses[0],
            case .untagged(.namespace([]?, UInt8(ascii: "/")?)) = responses[1],
            case .untagged(.namespace(nil, nil)) = responses[2], case .untagged(.namespace([]?, nil)) = responses[3]
        else { throw Failure() }
    }

    @Test(arguments: [
        "* NAMESPACE ((INBOX \".\")) NIL NIL\r\n", "* NAMESPACE ((\"\" \"ab\")) NIL NIL\r\n", "* NAMESPACE (x\r\n",
        "* 1 FETCH UID 3)\r\n", "* 1 FETCH (UID x)\r\n", "* 1 FETCH (UID 99999999999)\r\n",
        "* 1 FETCH (INTERNALDATE \"31-Foo-2024 00:00:00 +0000\")\r\n", "* 1 FETCH (FLAGS (\\Seen)\r\n",
        "* LIST () \"ab\" x\r\n", "* LIST () \"/\r\n", "M1 MAYBE fine\r\n", "* STATUS x (MESSAGES)\r\n",
        "* OK [UIDVALIDITY] x\r\n", "* OK [UIDNEXT 1\r\n", "* 1 FETCH (BODY[] {3} x)\r\n",
        "* 1 FETCH (X (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)\r\n", "*\r\n",
    ])
    func malformedResponsesAreErrors(_ text: String) throws {
        let framed = try frame(Array(text.utf8), chunks: [])
        #expect(throws: ResponseSyntaxError.self) { _ = try ClientResponseParser.parse(framed[0]) }
    }

    @Test func errorsNeverShowLiteralContent() throws {
        let framed = try frame(Array("* LIST () {6}\r\nsecret \"/\" x\r\n".utf8), chunks: [])
        do {
            _ = try ClientResponseParser.parse(framed[0])
            Issue.record("parsed")
        } catch let error as ResponseSyntaxError {
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func sunkLiteralWhereANameBelongsIsAnError() throws {
        let input = Array("* LIST () \"/\" {10}\r\n0123456789\r\n".utf8)
        let framed = try frame(input, chunks: [], limits: ClientLimits(maxInlineLiteral: 4)) { _ in CollectingSink() }
        #expect(throws: ResponseSyntaxError.self) { _ = try ClientResponseParser.parse(framed[0]) }
    }

    @Test func internalDates() {
        #expect(
            ClientResponseParser.internalDate(Array("01-Jan-1970 00:00:00 +0000".utf8))?.0
                == Date(timeIntervalSince1970: 0))
        #expect(ClientResponseParser.internalDate(Array("01-Jan-1970 01:00:00 +0100".utf8))?.1 == 60)
        for bad in [
            "01-Jan-1970 00:00:00", "32-Jan-1970 00:00:00 +0000", "01-Jan-1970 24:00:00 +0000",
            "01-Jan-1970 00:00:00 0000", "x-Jan-1970 00:00:00 +0000", "01-Jan-1970 00:00 +0000",
        ] {
            #expect(ClientResponseParser.internalDate(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    struct Failure: Error {}
}
