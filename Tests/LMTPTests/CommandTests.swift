import LMTP
import Testing

@Suite struct CommandTests {
    func parse(_ text: String, utf8: Bool = false) throws(LMTPCommand.ParseError) -> LMTPCommand {
        try LMTPCommand.parse(Array(text.utf8), utf8Allowed: utf8)
    }

    func reply(_ text: String, utf8: Bool = false) -> LMTPReply? {
        do {
            _ = try parse(text, utf8: utf8)
            return nil
        } catch {
            return error.reply
        }
    }

    @Test func simpleCommands() throws {
        #expect(try parse("LHLO mx.example.com") == .lhlo("mx.example.com"))
        #expect(try parse("lhlo [127.0.0.1]") == .lhlo("[127.0.0.1]"))
        #expect(try parse("DATA") == .data)
        #expect(try parse("rset") == .rset)
        #expect(try parse("QUIT") == .quit)
        #expect(try parse("NOOP") == .noop)
        #expect(try parse("NOOP anything") == .noop)
        #expect(try parse("VRFY bob") == .vrfy)
        #expect(try parse("HELP") == .help)
        #expect(try parse("EHLO x") == .smtpGreeting)
        #expect(try parse("HELO x") == .smtpGreeting)
    }

    @Test func mailFrom() throws {
        #expect(
            try parse("MAIL FROM:<a@b.example>")
                == .mail(MailCommand(reversePath: MailAddress(localPart: "a", domain: "b.example"))))
        #expect(try parse("MAIL FROM:<>") == .mail(MailCommand(reversePath: nil)))
        #expect(
            try parse("mail from: <a@b> SIZE=1234 BODY=8BITMIME SMTPUTF8")
                == .mail(
                    MailCommand(
                        reversePath: MailAddress(localPart: "a", domain: "b"), size: 1234, body: .eightBitMIME,
                        smtpUTF8: true)))
        #expect(
            try parse("MAIL FROM:<a@b> BODY=7bit")
                == .mail(MailCommand(reversePath: MailAddress(localPart: "a", domain: "b"), body: .sevenBit)))
        // A source route is accepted and ignored (RFC 5321 §4.1.2).
        #expect(
            try parse("MAIL FROM:<@relay.one,@relay.two:a@b>")
                == .mail(MailCommand(reversePath: MailAddress(localPart: "a", domain: "b"))))
    }

    @Test func rcptTo() throws {
        #expect(
            try parse("RCPT TO:<User+Tag@Example.COM>")
                == .rcpt(MailAddress(localPart: "User+Tag", domain: "Example.COM")))
        #expect(try parse("RCPT TO:<postmaster>") == .rcpt(MailAddress(localPart: "postmaster", domain: nil)))
        #expect(try parse("RCPT TO:<\"a b\\\"c\"@x>") == .rcpt(MailAddress(localPart: "a b\"c", domain: "x")))
        #expect(try parse("RCPT TO:<u@[192.0.2.1]>") == .rcpt(MailAddress(localPart: "u", domain: "[192.0.2.1]")))
        #expect(
            try parse("RCPT TO:<élève@école.test>", utf8: true)
                == .rcpt(MailAddress(localPart: "élève", domain: "école.test")))
    }

    @Test func addressDescriptionQuotesWhenNeeded() {
        #expect(MailAddress(localPart: "a b", domain: "x").description == "\"a b\"@x")
        #expect(MailAddress(localPart: "a.b", domain: "x").description == "a.b@x")
        #expect(MailAddress(localPart: "pm", domain: nil).description == "pm")
    }

    @Test func errors() {
        #expect(reply("FOO")?.code == 500)
        #expect(reply("LHLO")?.code == 501)
        #expect(reply("LHLO a b")?.code == 501)
        #expect(reply("DATA now")?.code == 501)
        #expect(reply("MAIL TO:<a@b>")?.code == 501)
        #expect(reply("MAIL FROM:a@b")?.code == 501)
        #expect(reply("MAIL FROM:<a@b")?.code == 501)
        #expect(reply("MAIL FROM:<a@b>x")?.code == 501)
        #expect(reply("MAIL FROM:<a b@c>")?.code == 501)
        #expect(reply("MAIL FROM:<a..b@c>")?.code == 501)
        #expect(reply("MAIL FROM:<a@-c>")?.code == 501)
        #expect(reply("MAIL FROM:<a@b> SIZE=x")?.code == 501)
        #expect(reply("MAIL FROM:<a@b> SIZE")?.code == 501)
        #expect(reply("MAIL FROM:<a@b> SIZE=1 SIZE=2")?.code == 501)
        #expect(reply("MAIL FROM:<a@b> SMTPUTF8=yes")?.code == 501)
        #expect(
            reply("MAIL FROM:<a@b> BODY=BINARYMIME")
                == LMTPReply(555, "5.5.4", "Unsupported parameter: BODY=BINARYMIME"))
        #expect(reply("MAIL FROM:<a@b> RET=HDRS")?.code == 555)
        #expect(reply("MAIL FROM:<a@b> =x")?.code == 501)
        #expect(reply("RCPT TO:<>")?.code == 501)
        #expect(reply("RCPT TO:<a@b> NOTIFY=NEVER")?.code == 555)
        #expect(reply("RCPT TO:<\"open@b>")?.code == 501)
        #expect(reply("RCPT TO:<a\\@b>")?.code == 501)
        // Non-ASCII needs SMTPUTF8 (RFC 6531 §3.4); invalid UTF-8 never passes.
        #expect(reply("RCPT TO:<élève@x>") == .needsUTF8)
        #expect(reply("MAIL FROM:<é@x>") == .needsUTF8)
        #expect(
            LMTPCommand.parseOrReply([0x52, 0x43, 0x50, 0x54, 0x20, 0x54, 0x4F, 0x3A, 0x3C, 0xFF, 0x40, 0x78, 0x3E])?
                .code == 501)
    }

    @Test func replyEncoding() {
        #expect(LMTPReply.recipientOK.description == "250 2.1.5 Recipient OK\r\n")
        let multi = LMTPReply(code: 250, enhanced: nil, lines: ["host", "PIPELINING"])
        #expect(multi.description == "250-host\r\n250 PIPELINING\r\n")
        #expect(LMTPReply(code: 250, enhanced: "2.0.0", lines: []).description == "250 2.0.0\r\n")
    }
}

extension LMTPCommand {
    /// The reply to a line that does not parse with SMTPUTF8, or nil when it parses.
    static func parseOrReply(_ line: [UInt8]) -> LMTPReply? {
        do {
            _ = try parse(line, utf8Allowed: true)
            return nil
        } catch {
            return error.reply
        }
    }
}
