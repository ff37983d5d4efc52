import NIOCore
import NIOPosix
import SMTPTestServer
import Testing

@testable import MailRelay

@Suite struct RelayEndpointTests {
    @Test func parses() throws {
        #expect(try RelayEndpoint(url: "smtp://127.0.0.1:25") == RelayEndpoint(host: "127.0.0.1", port: 25))
        #expect(try RelayEndpoint(url: "SMTP://mail.example.org") == RelayEndpoint(host: "mail.example.org", port: 25))
        #expect(try RelayEndpoint(url: "smtp://[::1]:2525/") == RelayEndpoint(host: "::1", port: 2525))
        #expect(try RelayEndpoint(url: "smtp://[::1]").description == "smtp://[::1]:25")
    }

    @Test(arguments: [
        "127.0.0.1:25", "smtps://host", "smtp://", "smtp://host:0", "smtp://host:99999", "smtp://host:x",
        "smtp://[::1", "smtp://[::1]x", "smtp://user@host", "smtp://a b",
    ])
    func refuses(_ url: String) {
        #expect(throws: RelayError.self) { try RelayEndpoint(url: url) }
    }
}

@Suite struct SMTPReplyReaderTests {
    @Test func multiLineRepliesInEveryChunking() throws {
        let text = Array("220 hi there\r\n250-mx.example\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n354 go\n".utf8)
        for size in 1...text.count {
            var reader = SMTPReplyReader()
            var replies: [SMTPReply] = []
            var start = 0
            while start < text.count {
                replies += try reader.feed(text[start..<min(start + size, text.count)])
                start += size
            }
            #expect(
                replies == [
                    SMTPReply(code: 220, lines: ["hi there"]),
                    SMTPReply(code: 250, lines: ["mx.example", "8BITMIME", "SMTPUTF8"]),
                    SMTPReply(code: 354, lines: ["go"]),
                ])
        }
    }

    @Test(arguments: ["hello\r\n", "99 x\r\n", "600 x\r\n", "250x\r\n", "250-a\r\n251 b\r\n"])
    func refusesWhatIsNotSMTP(_ text: String) {
        var reader = SMTPReplyReader()
        #expect(throws: RelayError.malformedReply) { _ = try reader.feed(Array(text.utf8)) }
    }

    @Test func boundsLinesAndReplies() throws {
        var long = SMTPReplyReader()
        #expect(throws: RelayError.malformedReply) {
            _ = try long.feed([UInt8](repeating: UInt8(ascii: "2"), count: SMTPReplyReader.maxLineLength + 1))
        }
        var many = SMTPReplyReader()
        let line = Array("250-x\r\n".utf8)
        #expect(throws: RelayError.malformedReply) {
            _ = try many.feed(Array(repeating: line, count: SMTPReplyReader.maxLines + 1).joined())
        }
        var enough = SMTPReplyReader()
        let lines = Array(repeating: line, count: SMTPReplyReader.maxLines - 1).joined() + Array("250 y\r\n".utf8)
        #expect(try enough.feed(lines).first?.lines.count == SMTPReplyReader.maxLines)
    }
}

@Suite struct DotStuffingTests {
    @Test func stuffsAndTerminates() {
        func stuffed(_ text: String) -> String {
            String(decoding: SMTPRelay.dotStuffed(Array(text.utf8)), as: UTF8.self)
        }
        #expect(stuffed("a\r\n.b\r\n..\r\n") == "a\r\n..b\r\n...\r\n.\r\n")
        #expect(stuffed(".x") == "..x\r\n.\r\n")
        #expect(stuffed("bare\nlf\n.") == "bare\r\nlf\r\n..\r\n.\r\n")
        #expect(stuffed("") == ".\r\n")
    }

    @Test func addressesWithBracketsOrControlsAreRefused() {
        #expect(SMTPRelay.isSendable("a@example.org") && SMTPRelay.isSendable("") && SMTPRelay.isSendable("ü@ä.de"))
        for bad in ["a>@b", "<a@b", "a@b\r\nRCPT TO:<c@d>", "a\u{7F}@b"] { #expect(!SMTPRelay.isSendable(bad)) }
    }
}

@Suite struct SMTPRelayConversationTests {
    func withServer(
        _ server: ScriptedSMTPServer = ScriptedSMTPServer(),
        _ body: (SMTPRelay, ScriptedSMTPServer) async throws -> Void
    ) async throws {
        let port = try await server.start()
        let relay = SMTPRelay(endpoint: RelayEndpoint(host: "127.0.0.1", port: port), heloName: "postern.test")
        do {
            try await body(relay, server)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func sendsTheWholeConversation() async throws {
        try await withServer { relay, server in
            let data = Array("Subject: hi\r\n\r\n.dot\r\nbyte \u{e9}\r\n".utf8)
            try await relay.send(
                OutgoingMail(envelopeFrom: "", recipients: ["a@example.org", "b@example.org"], data: data))
            let lines = server.received.withLock { $0 }
            #expect(
                lines == [
                    "EHLO postern.test", "MAIL FROM:<> BODY=8BITMIME", "RCPT TO:<a@example.org>",
                    "RCPT TO:<b@example.org>", "DATA", "Subject: hi", "", "..dot", "byte \u{e9}", ".", "QUIT",
                ])
            #expect(server.messages.withLock { $0 } == ["Subject: hi\r\n\r\n..dot\r\nbyte \u{e9}"])
        }
    }

    @Test func internationalAddressesAskForSMTPUTF8() async throws {
        try await withServer { relay, server in
            try await relay.send(OutgoingMail(envelopeFrom: "ü@example.org", recipients: ["x@example.org"], data: []))
            #expect(server.received.withLock { $0 }.contains("MAIL FROM:<ü@example.org> SMTPUTF8"))
        }
    }

    @Test func refusalsCarryTheStepAndCode() async throws {
        try await withServer { relay, _ in
            await #expect(throws: RelayError.refused(step: "RCPT", code: 550, text: "5.1.1 no such user")) {
                try await relay.send(OutgoingMail(envelopeFrom: "a@b", recipients: ["refuse@x"], data: []))
            }
        }
        try await withServer(ScriptedSMTPServer(mailReply: "451 4.3.0 try later")) { relay, _ in
            do {
                try await relay.send(OutgoingMail(envelopeFrom: "a@b", recipients: ["c@d"], data: []))
                Issue.record("a 451 must throw")
            } catch let error as RelayError {
                #expect(error == .refused(step: "MAIL", code: 451, text: "4.3.0 try later") && !error.isPermanent)
            }
        }
        try await withServer(ScriptedSMTPServer(greeting: "554 go away")) { relay, _ in
            await #expect(throws: RelayError.refused(step: "the connection", code: 554, text: "go away")) {
                try await relay.send(OutgoingMail(envelopeFrom: "a@b", recipients: ["c@d"], data: []))
            }
        }
    }

    @Test func badInputNeverReachesTheWire() async throws {
        try await withServer { relay, server in
            await #expect(throws: RelayError.badAddress("a@b>\r\nRCPT TO:<x@y")) {
                try await relay.send(OutgoingMail(envelopeFrom: "a@b>\r\nRCPT TO:<x@y", recipients: ["c@d"], data: []))
            }
            await #expect(throws: RelayError.badAddress("")) {
                try await relay.send(OutgoingMail(envelopeFrom: "a@b", recipients: [], data: []))
            }
            #expect(server.received.withLock { $0 }.isEmpty)
        }
    }

    @Test func nobodyListeningIsATemporaryFailure() async throws {
        let server = ScriptedSMTPServer()
        let port = try await server.start()
        try await server.stop()
        let relay = SMTPRelay(endpoint: RelayEndpoint(host: "127.0.0.1", port: port), heloName: "x")
        do {
            try await relay.send(OutgoingMail(envelopeFrom: "", recipients: ["a@b"], data: []))
            Issue.record("sending to a closed port must throw")
        } catch let error as RelayError {
            #expect(!error.isPermanent)
        }
    }
}
