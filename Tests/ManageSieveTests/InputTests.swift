import ManageSieve
import Testing

/// The input framer: every line the same over every chunking, each error reported once and the
/// input back in step after it.
@Suite struct InputTests {
    static func lines(_ text: String, limits: ManageSieveLimits = ManageSieveLimits()) -> [ManageSieveLine] {
        lines(Array(text.utf8), limits: limits)
    }

    /// The lines of `bytes` fed whole, then checked equal for every chunk size.
    static func lines(_ bytes: [UInt8], limits: ManageSieveLimits = ManageSieveLimits()) -> [ManageSieveLine] {
        let whole = feed(bytes, chunk: max(bytes.count, 1), limits: limits)
        for chunk in 1..<max(bytes.count, 2) {
            let cut = feed(bytes, chunk: chunk, limits: limits)
            #expect(cut == whole, "chunk size \(chunk)")
            if cut != whole { break }
        }
        return whole
    }

    static func feed(_ bytes: [UInt8], chunk: Int, limits: ManageSieveLimits) -> [ManageSieveLine] {
        var input = ManageSieveInput(limits: limits)
        var out: [ManageSieveLine] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            input.append(bytes[offset..<end])
            offset = end
            while let line = input.next() { out.append(line) }
        }
        return out
    }

    static func s(_ text: String) -> ManageSieveToken { .string(Array(text.utf8)) }

    @Test func atomsQuotedAndLiterals() {
        #expect(
            Self.lines("CAPABILITY\r\nputscript \"main\" {9+}\r\nkeep;\r\nx;\r\nGetScript {4}\r\nmain\r\n") == [
                .tokens([.atom("CAPABILITY")]),
                .tokens([.atom("putscript"), Self.s("main"), Self.s("keep;\r\nx;")]),
                .tokens([.atom("GetScript"), Self.s("main")]),
            ])
    }

    @Test func quotedEscapesAndUTF8() {
        #expect(
            Self.lines("RENAMESCRIPT \"a\\\"b\" \"c\\\\d é\"\r\nSETACTIVE \"\"\r\n") == [
                .tokens([.atom("RENAMESCRIPT"), Self.s("a\"b"), Self.s("c\\d é")]),
                .tokens([.atom("SETACTIVE"), Self.s("")]),
            ])
    }

    @Test func emptyAndLiteralZero() {
        #expect(
            Self.lines("CHECKSCRIPT {0+}\r\n\r\nNOOP {0}\r\n \"t\"\r\n") == [
                .tokens([.atom("CHECKSCRIPT"), Self.s("")]),
                .tokens([.atom("NOOP"), Self.s(""), Self.s("t")]),
            ])
    }

    @Test func literalOctetsAreNotParsed() {
        let script: [UInt8] = Array("{3}\r\n\"\\\0\u{FF}".utf8) + [0, 0xFF, 0x0D]
        let bytes = Array("PUTSCRIPT \"s\" {\(script.count)+}\r\n".utf8) + script + Array("\r\nLOGOUT\r\n".utf8)
        #expect(
            Self.lines(bytes) == [
                .tokens([.atom("PUTSCRIPT"), Self.s("s"), .string(script)]), .tokens([.atom("LOGOUT")]),
            ])
    }

    @Test func syntaxErrorsSkipTheLine() {
        let cases: [(String, String)] = [
            ("\r\n", "empty line"),
            ("(x)\r\n", "unexpected character"),
            ("NOOP \"a\\x\"\r\n", "bad escape in a quoted string"),
            ("NOOP \"abc\r\n", "unterminated quoted string"),
            ("NOOP \"a\"b\r\n", "expected a space or the end of the line"),
            ("NOOP {x}\r\n", "bad literal"),
            ("NOOP {}\r\n", "bad literal"),
            ("NOOP {+}\r\n", "bad literal"),
            ("NOOP {1+1}\r\n", "bad literal"),
            ("NOOP {12345678901}\r\n", "literal length too large"),
            ("NOOP {1} x\r\n", "a literal's length ends its line"),
            ("NOOP {1}\rx\r\n", "a literal's length ends its line"),
            ("NOOP\rx\r\n", "CR without LF"),
        ]
        for (line, why) in cases {
            #expect(Self.lines(line + "LOGOUT\r\n") == [.error(.syntax(why)), .tokens([.atom("LOGOUT")])], "\(line)")
        }
    }

    @Test func aSkippedLineStillSkipsItsLiteral() {
        #expect(
            Self.lines("PUTSCRIPT (x) {8+}\r\nLOGOUT\r\n\r\nNOOP\r\n") == [
                .error(.syntax("unexpected character")), .tokens([.atom("NOOP")]),
            ])
        #expect(
            Self.lines("PUTSCRIPT (x) {0}\r\n\r\nNOOP\r\n") == [
                .error(.syntax("unexpected character")), .tokens([.atom("NOOP")]),
            ])
    }

    @Test func bareLineFeedIsNotALineEnd() {
        #expect(Self.lines("NOOP\nNOOP\r\n") == [.error(.syntax("expected a space or the end of the line"))])
    }
}
