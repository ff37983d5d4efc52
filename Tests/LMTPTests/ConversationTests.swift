import LMTP
import Testing

@Suite struct ConversationTests {
    var conversation = LMTPConversation(limits: LMTPLimits(maxMessageSize: 1000), hostName: "mx.test")

    mutating func say(_ line: String) -> LMTPConversation.Step {
        conversation.receive(.line(Array(line.utf8)))
    }

    @Test mutating func fullTransaction() {
        #expect(conversation.greeting.description == "220 mx.test LMTP Postern ready\r\n")
        guard case .reply(let lhlo) = say("LHLO client") else {
            Issue.record("LHLO")
            return
        }
        #expect(lhlo.lines == ["mx.test", "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8", "SIZE 1000"])
        #expect(say("MAIL FROM:<a@b>") == .reply(.senderOK))
        let bob = MailAddress(localPart: "bob", domain: "x")
        #expect(say("RCPT TO:<bob@x>") == .resolve(bob))
        #expect(conversation.recipientResolved(.recipientOK) == .reply(.recipientOK))
        #expect(say("RCPT TO:<nobody@x>") == .resolve(MailAddress(localPart: "nobody", domain: "x")))
        #expect(conversation.recipientResolved(.noSuchUser) == .reply(.noSuchUser))
        #expect(conversation.recipients == [bob])
        #expect(say("DATA") == .startData)
        conversation.dataFinished()
        #expect(conversation.recipients.isEmpty)
        #expect(conversation.mail == nil)
        #expect(say("QUIT") == .close(.bye))
    }

    @Test mutating func sequenceErrors() {
        #expect(say("MAIL FROM:<a@b>") == .reply(.lhloFirst))
        #expect(say("HELO x") == .reply(.useLHLO))
        _ = say("LHLO c")
        #expect(say("RCPT TO:<a@b>") == .reply(.mailFirst))
        #expect(say("DATA") == .reply(.mailFirst))
        #expect(say("MAIL FROM:<a@b>") == .reply(.senderOK))
        #expect(say("MAIL FROM:<a@b>") == .reply(.nestedMail))
        #expect(say("DATA") == .reply(.recipientFirst))
        #expect(say("RSET") == .reply(.ok))
        #expect(say("RCPT TO:<a@b>") == .reply(.mailFirst))
        #expect(say("MAIL FROM:<a@b> SIZE=1001").replyCode == 552)
        #expect(say("MAIL FROM:<a@b> SIZE=99999999999999999999").replyCode == 552)
        #expect(say("NOOP") == .reply(.ok))
        #expect(say("VRFY x") == .reply(.vrfy))
        #expect(conversation.receive(.lineTooLong) == .reply(.lineTooLong))
    }

    @Test mutating func utf8RecipientsNeedSMTPUTF8OnMail() {
        _ = say("LHLO c")
        _ = say("MAIL FROM:<a@b>")
        #expect(say("RCPT TO:<é@x>") == .reply(.needsUTF8))
        _ = say("RSET")
        _ = say("MAIL FROM:<a@b> SMTPUTF8")
        #expect(say("RCPT TO:<é@x>") == .resolve(MailAddress(localPart: "é", domain: "x")))
    }
}

extension LMTPConversation.Step {
    var replyCode: Int? {
        switch self {
        case .reply(let reply), .close(let reply): reply.code
        default: nil
        }
    }
}
