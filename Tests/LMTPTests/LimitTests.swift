import LMTP
import Testing

/// Each limit of `LMTPLimits` at its bound and one past it.
@Suite struct LimitTests {
    @Test func recipientsPerTransaction() {
        var conversation = LMTPConversation(limits: LMTPLimits(maxMessageSize: 10), hostName: "h")
        _ = conversation.receive(.line(Array("LHLO c".utf8)))
        _ = conversation.receive(.line(Array("MAIL FROM:<>".utf8)))
        for n in 0..<LMTPLimits.defaultMaxRecipients {
            guard case .resolve = conversation.receive(.line(Array("RCPT TO:<u\(n)@x>".utf8))) else {
                Issue.record("recipient \(n) refused")
                return
            }
            _ = conversation.recipientResolved(.recipientOK)
        }
        #expect(conversation.receive(.line(Array("RCPT TO:<one-more@x>".utf8))) == .reply(.tooManyRecipients))
        #expect(conversation.recipients.count == LMTPLimits.defaultMaxRecipients)
    }

    @Test func commandsPerConnection() {
        var limits = LMTPLimits(maxMessageSize: 10)
        limits.maxCommands = 1000
        var conversation = LMTPConversation(limits: limits, hostName: "h")
        for _ in 0..<1000 { #expect(conversation.receive(.line(Array("NOOP".utf8))) == .reply(.ok)) }
        #expect(conversation.receive(.line(Array("NOOP".utf8))) == .close(.tooManyCommands))
    }

    @Test func errorsInARow() {
        var conversation = LMTPConversation(limits: LMTPLimits(maxMessageSize: 10), hostName: "h")
        for _ in 1..<LMTPLimits.defaultMaxErrors {
            #expect(conversation.receive(.line(Array("BOGUS".utf8))) == .reply(.unknownCommand))
        }
        #expect(conversation.receive(.line(Array("NOOP".utf8))) == .reply(.ok))
        for _ in 1..<LMTPLimits.defaultMaxErrors { _ = conversation.receive(.line(Array("BOGUS".utf8))) }
        #expect(conversation.receive(.line(Array("BOGUS".utf8))) == .close(.tooManyErrors))
    }

    @Test func lineLengthBound() {
        let limit = LMTPLimits.defaultMaxLineLength
        var framer = LMTPInput(maxLineLength: limit)
        let fits = Array(repeating: UInt8(ascii: "a"), count: limit - 2) + [13, 10]
        framer.append(fits)
        #expect(framer.next() == .line(Array(fits.dropLast(2))))
        framer.append(Array(repeating: UInt8(ascii: "a"), count: limit - 1) + [13, 10])
        #expect(framer.next() == .lineTooLong)
        // A line that never ends costs at most the limit (plus one read) of memory.
        for _ in 0..<100 {
            framer.append(Array(repeating: UInt8(ascii: "b"), count: 10_000))
            _ = framer.next()
            #expect(framer.buffered <= 10_000)
        }
    }
}
