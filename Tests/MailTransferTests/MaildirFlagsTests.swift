import IMAPWire
import MailStore
import Testing

@testable import MailTransfer

@Suite struct MaildirFlagsTests {
    @Test func splitsInfo() {
        #expect(MaildirFlags.split("123.M1P2.host,S=10:2,FS") == ("123.M1P2.host,S=10", "FS"))
        #expect(MaildirFlags.split("123.host;2,S") == ("123.host", "S"))
        #expect(MaildirFlags.split("123.host") == ("123.host", nil))
        #expect(MaildirFlags.split("a:2,b:2,RS") == ("a:2,b", "RS"))
        #expect(MaildirFlags.split("x:2,") == ("x", ""))
    }

    @Test func parsesLetters() {
        let keywords: [Character: String] = ["a": "$Junk", "c": "Work"]
        let flags = MaildirFlags.parse("DFPRSTabcz", keywords: keywords)
        #expect(flags.system == [.draft, .flagged, .answered, .seen, .deleted])
        #expect(flags.keywords == ["$Junk", "Work", "$Forwarded"])
        #expect(MaildirFlags.parse("", keywords: keywords).isEmpty)
        #expect(MaildirFlags.parse("XYZ!?", keywords: keywords).isEmpty, "unknown letters are ignored")
    }

    @Test func formatsInASCIIOrder() {
        let flags = MessageFlags(system: [.seen, .draft, .answered], keywords: ["Work", "$Forwarded", "Other"])
        let (info, unwritten) = MaildirFlags.format(flags, keywords: ["Work": "a"])
        #expect(info == "DRSa", "$Forwarded has no letter here")
        #expect(unwritten == ["$Forwarded", "Other"])
        #expect(MaildirFlags.format(flags, keywords: ["$Forwarded": "b"]).info == "DRSb")
        #expect(MaildirFlags.format(MessageFlags(), keywords: [:]).info == "")
        // Round trip through the letters.
        let letters = DovecotKeywords.letters(["$Forwarded", "Other", "Work"])
        let back = MaildirFlags.parse(
            MaildirFlags.format(flags, keywords: letters).info,
            keywords: DovecotKeywords.parse(DovecotKeywords.format(["$Forwarded", "Other", "Work"])))
        #expect(back == flags)
    }

    @Test func keywordsFile() {
        #expect(DovecotKeywords.parse("0 $Junk\n2 Work\n") == ["a": "$Junk", "c": "Work"])
        #expect(DovecotKeywords.parse("26 TooFar\n-1 No\nx Bad\n3\n4 two words\n5 \n\n") == [:])
        #expect(DovecotKeywords.parse("25 Last\r\n") == ["z": "Last"])
        let many = (0..<30).map { "k\($0)" }
        #expect(DovecotKeywords.letters(many).count == DovecotKeywords.maxLetters)
        #expect(DovecotKeywords.format(many).split(separator: "\n").count == DovecotKeywords.maxLetters)
        #expect(DovecotKeywords.letters(many)["k25"] == "z")
    }

    /// Maildir names use IMAPWire's codec, with encoded ASCII allowed (Maildir++ encodes ".").
    @Test func modifiedUTF7() {
        func decode(_ text: String) -> String? { try? ModifiedUTF7.decode(Array(text.utf8), encodedASCII: true) }
        func encode(_ text: String, _ literal: (UInt8) -> Bool = { _ in true }) -> String {
            String(decoding: ModifiedUTF7.encode(text, literal: literal), as: UTF8.self)
        }
        #expect(decode("Entw&APw-rfe") == "Entwürfe")
        #expect(decode("&-x&-") == "&x&")
        #expect(decode("&ZeVnLIqe-") == "日本語")
        #expect(decode("&2D3eAA-") == "😀")
        #expect(decode("plain") == "plain")
        #expect(decode("&AOQ") == nil, "unterminated")
        #expect(decode("&*-") == nil, "not base64")
        #expect(decode("&2D0-") == nil, "lone surrogate")
        #expect(decode("a\u{7}b") == nil)
        for name in ["Entwürfe", "日本語 & more", "😀", "a&b", "tab.dot", ""] {
            #expect(decode(encode(name)) == name)
        }
        #expect(encode("a.b") { $0 != UInt8(ascii: ".") } == "a&AC4-b")
        #expect(decode("a&AC4-b") == "a.b")
        #expect((try? ModifiedUTF7.decode(Array("a&AC4-b".utf8))) == nil, "IMAP names stay strict")
        #expect(encode("Entwürfe") == "Entw&APw-rfe")
    }

    @Test func subscriptions() {
        #expect(
            Subscriptions.parse("V\t2\n\nINBOX\nWork\tProjects\nEntw&APw-rfe\n") == ["", "Work/Projects", "Entwürfe"])
        #expect(Subscriptions.parse("INBOX\nWork.Projects\nSent\n") == ["", "Work/Projects", "Sent"])
        #expect(Subscriptions.parse("INBOX.Sent\nINBOX.Work.Old\n") == ["Sent", "Work/Old"])
        #expect(Subscriptions.parse("") == [])
        #expect(
            Subscriptions.parse(Subscriptions.format(["INBOX", "Work/Projects", "Entwürfe"])) == [
                "", "Work/Projects", "Entwürfe",
            ])
    }
}
