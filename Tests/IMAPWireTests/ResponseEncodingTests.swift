import Foundation
import NIOCore
import Testing

@testable import IMAPWire

/// The bytes of every response kind: what a client reads (RFC 9051 §7 and §9, and the extensions).
@Suite struct ResponseEncodingTests {
    static let sentFlags: [Flag] = [.answered, .flagged, .deleted, .seen, .draft]

    /// (response, its bytes without the final CRLF)
    static let fixtures: [(ServerResponse, String)] = [
        (
            .tagged(TaggedResponse(tag: "a1", status: .ok, code: .readWrite, text: "SELECT completed")),
            "a1 OK [READ-WRITE] SELECT completed"
        ),
        (
            .tagged(TaggedResponse(tag: "a2", status: .no, code: .serverBug, text: "bad\r\nthing")),
            "a2 NO [SERVERBUG] bad  thing"
        ),
        (.tagged(TaggedResponse(tag: "a3", status: .bad, text: "")), "a3 BAD BAD"),
        (
            .untagged(.condition(.ok, code: .capability(["IMAP4rev2", "IDLE"]), text: "Postern ready")),
            "* OK [CAPABILITY IMAP4rev2 IDLE] Postern ready"
        ),
        (.untagged(.condition(.bye, code: nil, text: "Logging out")), "* BYE Logging out"),
        (.untagged(.condition(.bye, code: nil, text: "")), "* BYE BYE"),
        (
            .untagged(.condition(.ok, code: .permanentFlags(sentFlags, allowsNewKeywords: true), text: "Limited")),
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Limited"
        ),
        (.untagged(.condition(.ok, code: .mailboxID("F12"), text: "Ok")), "* OK [MAILBOXID (F12)] Ok"),
        (
            .untagged(.capability(["IMAP4rev2", "IMAP4rev1", "AUTH=PLAIN"])),
            "* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN"
        ),
        (.untagged(.enabled(["CONDSTORE", "QRESYNC"])), "* ENABLED CONDSTORE QRESYNC"),
        (.untagged(.enabled([])), "* ENABLED"),
        (
            .untagged(
                .quota(
                    QuotaResponse(
                        root: "",
                        resources: [
                            QuotaResource(name: "STORAGE", usage: 10, limit: 512),
                            QuotaResource(name: "MESSAGE", usage: 3, limit: 100),
                        ]))),
            "* QUOTA \"\" (STORAGE 10 512 MESSAGE 3 100)"
        ),
        (.untagged(.quotaRoot("INBOX", roots: [""])), "* QUOTAROOT INBOX \"\""),
        (.untagged(.quotaRoot("a b", roots: [])), "* QUOTAROOT \"a b\""),
        (.untagged(.quotaRoot("INBOX", roots: ["", "bob"])), "* QUOTAROOT INBOX \"\" bob"),
        (
            .untagged(.flags(sentFlags + [.keyword("$Junk")])),
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk)"
        ),
        (
            .untagged(.list(ListResponse(attributes: ["\\HasNoChildren", "\\Sent"], name: "Sent Items"))),
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\""
        ),
        (.untagged(.list(ListResponse(attributes: ["\\Noselect"], name: ""))), "* LIST (\\Noselect) \"/\" \"\""),
        (.untagged(.list(ListResponse(attributes: [], delimiter: nil, name: "INBOX"))), "* LIST () NIL INBOX"),
        (
            .untagged(.list(ListResponse(attributes: [], delimiter: UInt8(ascii: "\\"), name: "a"))),
            "* LIST () \"\\\\\" a"
        ),
        (
            .untagged(.list(ListResponse(kind: .lsub, attributes: ["\\Noselect"], name: "a"))),
            "* LSUB (\\Noselect) \"/\" a"
        ),
        (
            .untagged(
                .list(
                    ListResponse(
                        attributes: ["\\HasChildren"], name: "Foo", extended: [.childInfo(["SUBSCRIBED"])]))),
            "* LIST (\\HasChildren) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))"
        ),
        (
            .untagged(
                .list(ListResponse(attributes: [], name: "New", extended: [.oldName("Old")]))),
            "* LIST () \"/\" New (\"OLDNAME\" (Old))"
        ),
        (
            .untagged(.list(ListResponse(attributes: [], name: MailboxName(Array("Entwürfe".utf8))))),
            "* LIST () \"/\" \"Entwürfe\""
        ),
        (.untagged(.list(ListResponse(attributes: [], name: "&AOk-t&AOk-"))), "* LIST () \"/\" &AOk-t&AOk-"),
        (
            .untagged(
                .mailboxStatus(
                    MailboxStatusResponse(
                        name: "INBOX",
                        items: [
                            .number(.messages, 17), .number(.uidNext, 4392), .number(.highestModSeq, 7),
                            .mailboxID("F2212ea87"),
                        ]))),
            "* STATUS INBOX (MESSAGES 17 UIDNEXT 4392 HIGHESTMODSEQ 7 MAILBOXID (F2212ea87))"
        ),
        (.untagged(.mailboxStatus(MailboxStatusResponse(name: "a b", items: []))), "* STATUS \"a b\" ()"),
        (.untagged(.exists(23)), "* 23 EXISTS"),
        (.untagged(.recent(0)), "* 0 RECENT"),
        (.untagged(.expunge(3)), "* 3 EXPUNGE"),
        (
            .untagged(.vanished(earlier: true, uids: .ranges([SequenceRange(41...41), SequenceRange(43...116)]))),
            "* VANISHED (EARLIER) 41,43:116"
        ),
        (.untagged(.vanished(earlier: false, uids: .single(405))), "* VANISHED 405"),
        (.untagged(.search(SearchResponse(numbers: [2, 84, 882]))), "* SEARCH 2 84 882"),
        (.untagged(.search(SearchResponse(numbers: []))), "* SEARCH"),
        (.untagged(.search(SearchResponse(numbers: [1, 10, 4_294_967_295]))), "* SEARCH 1 10 4294967295"),
        (.untagged(.search(SearchResponse(numbers: [2, 5], modSeq: 917162500))), "* SEARCH 2 5 (MODSEQ 917162500)"),
        (
            .untagged(
                .esearch(
                    ESearchResponse(
                        tag: "A282", uid: true, min: 2, max: 47, count: 3,
                        all: .ranges([SequenceRange(2...2), SequenceRange(10...11)]), modSeq: 12))),
            "* ESEARCH (TAG \"A282\") UID MIN 2 MAX 47 COUNT 3 ALL 2,10:11 MODSEQ 12"
        ),
        (.untagged(.esearch(ESearchResponse(tag: "t", uid: false, count: 0))), "* ESEARCH (TAG \"t\") COUNT 0"),
        (.untagged(.esearch(ESearchResponse(tag: nil, uid: false))), "* ESEARCH"),
        (
            .untagged(.id([IDParameter(key: "name", value: "Postern"), IDParameter(key: "x", value: nil)])),
            "* ID (\"name\" \"Postern\" \"x\" NIL)"
        ),
        (.untagged(.id(nil)), "* ID NIL"),
        (
            .untagged(.namespace(NamespaceResponse(personal: [.init(prefix: "", delimiter: UInt8(ascii: "/"))]))),
            "* NAMESPACE ((\"\" \"/\")) NIL NIL"
        ),
        (.continuation(.text("Ready for literal data")), "+ Ready for literal data"),
        (.continuation(.text("")), "+ "),
        (.continuation(.base64(Array("hi!?".utf8))), "+ aGkhPw=="),
    ]

    @Test(arguments: fixtures.indices)
    func fixture(index: Int) {
        let (response, expected) = Self.fixtures[index]
        #expect(String(buffer: ResponseEncoder().encode(response)) == expected + "\r\n")
    }
}
