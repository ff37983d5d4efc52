import ManageSieve
import Testing

/// The response encoder: final responses with every code, strings quoted or as literals, and the lines
/// of CAPABILITY, LISTSCRIPTS and GETSCRIPT.
@Suite struct ResponseTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func finalResponses() {
        #expect(Self.text(ManageSieveResponse.final(.ok)) == "OK\r\n")
        #expect(Self.text(ManageSieveResponse.final(.no, text: "say \"hi\" \\")) == "NO \"say \\\"hi\\\" \\\\\"\r\n")
        #expect(Self.text(ManageSieveResponse.final(.bye, text: "Bye")) == "BYE \"Bye\"\r\n")
        let codes: [(ManageSieveResponseCode, String)] = [
            (.quota, "QUOTA"), (.quotaMaxScripts, "QUOTA/MAXSCRIPTS"), (.quotaMaxSize, "QUOTA/MAXSIZE"),
            (.nonexistent, "NONEXISTENT"), (.active, "ACTIVE"), (.alreadyExists, "ALREADYEXISTS"),
            (.tryLater, "TRYLATER"), (.warnings, "WARNINGS"), (.encryptNeeded, "ENCRYPT-NEEDED"),
            (.authTooWeak, "AUTH-TOO-WEAK"), (.sasl("dj1h"), "SASL \"dj1h\""), (.tag(Array("t".utf8)), "TAG \"t\""),
        ]
        for (code, text) in codes {
            #expect(Self.text(ManageSieveResponse.final(.no, code: code, text: "x")) == "NO (\(text)) \"x\"\r\n")
        }
    }

    @Test func stringsThatCannotBeQuoted() {
        #expect(
            Self.text(ManageSieveResponse.string(Array("line 1: x\r\nline 2".utf8))) == "{17}\r\nline 1: x\r\nline 2")
        #expect(ManageSieveResponse.string([0x61, 0]) == Array("{2}\r\n".utf8) + [0x61, 0])
        let long = [UInt8](repeating: 0x61, count: ManageSieveLimits.maxQuotedLength + 1)
        #expect(ManageSieveResponse.string(long) == Array("{1025}\r\n".utf8) + long)
        let longest = [UInt8](repeating: 0x61, count: ManageSieveLimits.maxQuotedLength)
        #expect(ManageSieveResponse.string(longest) == [0x22] + longest + [0x22])
    }

    @Test func lines() {
        #expect(Self.text(ManageSieveResponse.capability("STARTTLS")) == "\"STARTTLS\"\r\n")
        #expect(Self.text(ManageSieveResponse.capability("VERSION", "1.0")) == "\"VERSION\" \"1.0\"\r\n")
        #expect(Self.text(ManageSieveResponse.scriptLine("main", active: true)) == "\"main\" ACTIVE\r\n")
        #expect(Self.text(ManageSieveResponse.scriptLine("b", active: false)) == "\"b\"\r\n")
        #expect(Self.text(ManageSieveResponse.script(Array("keep;".utf8))) == "{5}\r\nkeep;\r\n")
        #expect(Self.text(ManageSieveResponse.challenge("")) == "\"\"\r\n")
    }
}
