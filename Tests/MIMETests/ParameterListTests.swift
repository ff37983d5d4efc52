import Testing

@testable import MIME

/// Parameter lists as BODYSTRUCTURE shows them, broken ones read on at the next ";" as Dovecot does.
@Suite struct ParameterListTests {
    /// The Content-Type parameters of `value` as "name=value" strings.
    func params(_ value: String) -> [String] {
        MessageParser.parse(mail("Content-Type: \(value)\n\nx\n")).root.parameters.map {
            "\($0.name)=\(String(decoding: $0.value, as: UTF8.self))"
        }
    }

    @Test func wellFormed() {
        #expect(params("text/plain; charset=utf-8; format=flowed") == ["charset=utf-8", "format=flowed"])
        #expect(
            params("text/plain; charset=\"utf-8\" (comment); format = flowed") == ["charset=utf-8", "format=flowed"])
        #expect(params("text/plain;\n\tcharset=ISO-8859-1;\n\tdelsp=yes;\n") == ["charset=ISO-8859-1", "delsp=yes"])
        #expect(params("text/plain; name=\"a;b c\"") == ["name=a;b c", "charset=us-ascii"])
        #expect(params("text/plain; charset=") == ["charset="])
    }

    @Test func unquotedValuesEndAtWhiteSpace() {
        #expect(params("application/octet-stream; name=my file name.pdf") == ["name=my"])
        #expect(params("application/octet-stream; name=my file.pdf; x=1") == ["name=my", "x=1"])
        #expect(params("application/octet-stream; name=\"a\"b; x=1") == ["name=a", "x=1"])
        let m = MessageParser.parse(mail("Content-Disposition: attachment; filename=annual report.doc\n\nx\n"))
        #expect(m.root.disposition?.parameters.map(\.name) == ["filename"])
        #expect(str(m.root.disposition?.parameters.first?.value) == "annual")
    }

    @Test func theRunOfAnUnquotedValueKeepsEqualsSigns() {
        #expect(params("multipart/mixed; boundary=----=_Part_1; x=y") == ["boundary=----=_Part_1", "x=y"])
        #expect(params("text/plain; name==?utf-8?q?a?=; charset=x") == ["name==?utf-8?q?a?=", "charset=x"])
    }

    @Test func brokenParametersAreSkippedToTheNextSemicolon() {
        // "=" missing before a ";": that ";" goes with the error, so the next parameter is lost too.
        #expect(params("text/plain; charset; format=flowed") == ["charset=us-ascii"])
        #expect(params("text/plain; charset; a=1; format=flowed") == ["format=flowed", "charset=us-ascii"])
        #expect(params("multipart/alternative;; boundary=\"foo\"") == [])
        #expect(params("multipart/alternative;; x=1; boundary=\"foo\"") == ["boundary=foo"])
        #expect(params("text/plain; a b=c; d=e") == ["d=e", "charset=us-ascii"])
        #expect(params("text/plain; charset") == ["charset=us-ascii"])
        #expect(params("text/plain; charset=utf-8;") == ["charset=utf-8"])
        #expect(params("text/plain junk; charset=utf-8") == ["charset=utf-8"])
        #expect(params("text/plain; =v") == ["=v", "charset=us-ascii"])
    }
}
