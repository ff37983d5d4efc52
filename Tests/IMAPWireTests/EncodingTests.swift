import Foundation
import NIOCore
import Testing

@testable import IMAPWire

@Suite struct EncodingTests {
    func written(_ body: (inout ByteBuffer) -> Void) -> String {
        var b = ByteBuffer()
        body(&b)
        return String(buffer: b)
    }

    @Test func atomOrString() {
        #expect(written { $0.writeIMAPAtomOrString("INBOX") } == "INBOX")
        #expect(written { $0.writeIMAPAtomOrString("a]b") } == "a]b")
        #expect(written { $0.writeIMAPAtomOrString("") } == "\"\"")
        #expect(written { $0.writeIMAPAtomOrString("a b") } == "\"a b\"")
        #expect(written { $0.writeIMAPAtomOrString("a*") } == "\"a*\"")
        #expect(written { $0.writeIMAPAtomOrString("q\"\\") } == "\"q\\\"\\\\\"")
        #expect(written { $0.writeIMAPAtomOrString("a\nb") } == "{3}\r\na\nb")
        #expect(written { $0.writeIMAPAtomOrString("\u{e9}") } == "{2}\r\n\u{e9}")
    }

    @Test func stringsAndNStrings() {
        #expect(written { $0.writeIMAPString("NIL") } == "\"NIL\"")
        #expect(written { $0.writeIMAPNString(nil as String?) } == "NIL")
        #expect(written { $0.writeIMAPNString("x") } == "\"x\"")
        #expect(written { $0.writeIMAPLiteral(bytes("ab"), nonSynchronizing: true) } == "{2+}\r\nab")
        #expect(written { $0.writeMailboxName("Sent Items") } == "\"Sent Items\"")
        #expect(written { $0.writeListMailbox("a*%") } == "a*%")
    }

    @Test func flagsAndSets() {
        #expect(
            written {
                $0.writeFlagList([
                    .seen, .answered, .flagged, .deleted, .draft, .recent, .keyword("$x"), .extension("Y"),
                ])
            }
                == "(\\Seen \\Answered \\Flagged \\Deleted \\Draft \\Recent $x \\Y)")
        #expect(written { $0.writeFlagList([]) } == "()")
        #expect(
            written {
                $0.writeSequenceSet(
                    .ranges([SequenceRange(1...1), SequenceRange(3...5), SequenceRange(.number(7), .last)]))
            } == "1,3:5,7:*")
        #expect(written { $0.writeSequenceSet(.lastCommandResult) } == "$")
    }

    @Test func internalDates() {
        let d = InternalDate(year: 1994, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480)!
        #expect(written { $0.writeInternalDate(d) } == "\"07-Feb-1994 21:52:25 -0800\"")
        #expect(written { $0.writeInternalDate(Date(timeIntervalSince1970: 0)) } == "\"01-Jan-1970 00:00:00 +0000\"")
        #expect(written { $0.writeIMAPDate(date(2024, 2, 29)) } == "29-Feb-2024")
    }

    @Test(arguments: [
        (ResponseCode.alert, "ALERT"), (.badCharset(["UTF-8", "US-ASCII"]), "BADCHARSET (UTF-8 US-ASCII)"),
        (.badCharset([]), "BADCHARSET"),
        (.capability(["IMAP4rev2", "IDLE"]), "CAPABILITY IMAP4rev2 IDLE"), (.parse, "PARSE"), (.readOnly, "READ-ONLY"),
        (.tryCreate, "TRYCREATE"), (.uidNext(4392), "UIDNEXT 4392"),
        (.uidValidity(3857529045), "UIDVALIDITY 3857529045"),
        (.unseen(12), "UNSEEN 12"), (.unavailable, "UNAVAILABLE"), (.authenticationFailed, "AUTHENTICATIONFAILED"),
        (.authorizationFailed, "AUTHORIZATIONFAILED"), (.expired, "EXPIRED"), (.privacyRequired, "PRIVACYREQUIRED"),
        (.contactAdmin, "CONTACTADMIN"), (.noPerm, "NOPERM"), (.inUse, "INUSE"), (.expungeIssued, "EXPUNGEISSUED"),
        (.corruption, "CORRUPTION"), (.serverBug, "SERVERBUG"), (.clientBug, "CLIENTBUG"), (.cannot, "CANNOT"),
        (.limit, "LIMIT"),
        (.overQuota, "OVERQUOTA"), (.alreadyExists, "ALREADYEXISTS"), (.nonExistent, "NONEXISTENT"),
        (.tooBig, "TOOBIG"),
        (.appendUID(uidValidity: 38505, uids: .single(3955)), "APPENDUID 38505 3955"),
        (
            .copyUID(
                uidValidity: 38505, source: .ranges([SequenceRange(304...304), SequenceRange(319...320)]),
                destination: .ranges([SequenceRange(3956...3958)])),
            "COPYUID 38505 304,319:320 3956:3958"
        ),
        (.highestModSeq(715194045007), "HIGHESTMODSEQ 715194045007"), (.noModSeq, "NOMODSEQ"),
        (.modified(.single(7)), "MODIFIED 7"),
        (.closed, "CLOSED"), (.uidNotSticky, "UIDNOTSTICKY"), (.other("X-FOO", "a]b"), "X-FOO a b"),
        (.other("X-BAR", nil), "X-BAR"),
    ])
    func responseCodes(code: ResponseCode, expected: String) {
        #expect(written { $0.writeResponseCode(code) } == expected)
    }
}
