import Testing

@testable import MIME

/// The address list reader: every production and every way a list breaks, as ENVELOPE shows it.
@Suite struct AddressListTests {
    /// Each address as "name|adl|mailbox|host", "-" for nil.
    func parse(_ s: String) -> [String] {
        AddressParser.parse(Array(s.utf8)).map {
            "\(str($0.name) ?? "-")|\(str($0.adl) ?? "-")|\(str($0.mailbox) ?? "-")|\(str($0.host) ?? "-")"
        }
    }

    @Test func wellFormed() {
        #expect(parse(#""Doe, J" <j@x>, k@y"#) == ["Doe, J|-|j|x", "-|-|k|y"])
        #expect(parse("<@a,@b:c@d>") == ["-|@a,@b|c|d"])
        #expect(parse(#""a b"@c"#) == ["-|-|a b|c"])
        #expect(parse("a@[1.2.3.4]") == ["-|-|a|[1.2.3.4]"])
        #expect(parse("a@[1.2\\]3]") == ["-|-|a|[1.2\\]3]"])
        #expect(parse("=?utf-8?q?J=C3=B6rg?= <j@y>") == ["=?utf-8?q?J=C3=B6rg?=|-|j|y"])
        #expect(parse("Joe Q. Public <j@x>") == ["Joe Q. Public|-|j|x"])
        #expect(parse("jdoe@test   . example") == ["-|-|jdoe|test.example"])
        #expect(parse("") == [] && parse("  (only a comment) ") == [])
    }

    @Test func commentsGiveTheName() {
        #expect(parse("x@y (Name)") == ["Name|-|x|y"])
        #expect(parse("x@y (x (nested) z)") == ["x (nested) z|-|x|y"])
        #expect(parse("x@y (a\\)b)") == ["a)b|-|x|y"])
        #expect(parse("x (first) @ y (second)") == ["second|-|x|y"])
        #expect(parse("A <x@y> (ignored)") == ["A|-|x|y"])
    }

    @Test func displayNamesAreForHumans() {
        #expect(parse("\"  A \t  B  \" <a@b>") == ["A B|-|a|b"])
        #expect(parse("\"\" <a@b>") == ["-|-|a|b"])
        #expect(parse("A\\\"B <a@b>") == ["-|-|A|MISSING_DOMAIN"])
    }

    @Test func groups() {
        #expect(parse("undisclosed-recipients:;") == ["-|-|undisclosed-recipients|-", "-|-|-|-"])
        #expect(parse("g: a@b, c@d;, e@f") == ["-|-|g|-", "-|-|a|b", "-|-|c|d", "-|-|-|-", "-|-|e|f"])
        // A group that is never closed still ends.
        #expect(parse("g: a@b, c@d") == ["-|-|g|-", "-|-|a|b", "-|-|c|d", "-|-|-|-"])
        #expect(parse("g:") == ["-|-|g|-", "-|-|-|-"])
        #expect(parse("g: a@b,") == ["-|-|g|-", "-|-|a|b", "-|-|-|-"])
        #expect(parse("\"\": a@b;") == ["-|-||-", "-|-|a|b", "-|-|-|-"])
    }

    @Test func missingPartsAreFilledIn() {
        #expect(parse("broken") == ["-|-|broken|MISSING_DOMAIN"])
        #expect(parse("<>") == ["-|-|MISSING_MAILBOX|MISSING_DOMAIN"])
        #expect(parse("Big Bug bb@bug.com") == ["Big Bug bb|-|MISSING_MAILBOX|MISSING_DOMAIN"])
        #expect(parse(", a@b") == ["-|-|MISSING_MAILBOX|MISSING_DOMAIN", "-|-|a|b"])
        #expect(parse("a@b, , c@d") == ["-|-|a|b", "-|-|MISSING_MAILBOX|MISSING_DOMAIN", "-|-|c|d"])
        #expect(parse("\"quoted\"") == ["quoted|-|MISSING_MAILBOX|MISSING_DOMAIN"])
        #expect(parse("\"unterminated") == ["-|-|MISSING_MAILBOX|MISSING_DOMAIN"])
        #expect(parse("a@") == ["-|-|a|MISSING_DOMAIN"])
        #expect(parse("@b") == ["-|-|MISSING_MAILBOX|b"])
    }

    @Test func brokenAngleAddressesAndRoutes() {
        #expect(parse("<Undisclosed-Recipient:@x.example;>") == ["-|-|Undisclosed-Recipient|SYNTAX_ERROR"])
        #expect(parse("Name <a@b") == ["Name|-|a|SYNTAX_ERROR"])
        #expect(parse("Name <a b@c>") == ["Name|-|a|SYNTAX_ERROR"])
        #expect(parse("Name <@bad x@y>") == ["Name|INVALID_ROUTE|x|y"])
        #expect(parse("Name <@a, ,@b:x@y>") == ["Name|@a,@b|x|y"])
        #expect(parse("Name <@") == ["Name|INVALID_ROUTE|MISSING_MAILBOX|SYNTAX_ERROR"])
        #expect(parse("Name < ") == ["Name|-|MISSING_MAILBOX|SYNTAX_ERROR"])
    }

    @Test func aListEndsWhereNoCommaFollows() {
        #expect(parse("tim@x.com concierge@x.com") == ["-|-|tim|x.com"])
        #expect(parse("a@b, Mikel@Lindsaar <r@g.com>, t@g.com") == ["-|-|a|b", "-|-|Mikel|Lindsaar"])
        #expect(parse("a@b; c@d") == ["-|-|a|b"])
        // A comma and then an unterminated comment: one more, empty, address.
        #expect(parse("a@b, (x") == ["-|-|a|b", "-|-|MISSING_MAILBOX|MISSING_DOMAIN"])
        #expect(parse("a@b,") == ["-|-|a|b"])
    }

    @Test func obsoleteLocalParts() {
        #expect(parse("a..b.@c") == ["-|-|a..b.|c"])
        #expect(parse(".a@c") == ["-|-|.a|c"])
        // No white space after a dot in a local part: the words are a name.
        #expect(parse("a . b@c") == ["a. b|-|MISSING_MAILBOX|MISSING_DOMAIN"])
        #expect(parse("a. b@c") == ["a. b|-|MISSING_MAILBOX|MISSING_DOMAIN"])
    }

    @Test func limitsAndUnterminatedInput() {
        let list = (0..<(MIMELimits.maxAddresses + 10)).map { "u\($0)@x" }.joined(separator: ",")
        #expect(AddressParser.parse(Array(list.utf8)).count == MIMELimits.maxAddresses)
        let group = "g: " + (0..<(MIMELimits.maxAddresses + 10)).map { "u\($0)@x" }.joined(separator: ",") + ";"
        #expect(AddressParser.parse(Array(group.utf8)).count == MIMELimits.maxAddresses)
        #expect(AddressParser.parse(Array((String(repeating: "(", count: 100_000) + "a@b").utf8)).isEmpty)
        #expect(parse("a@b (unterminated") == ["-|-|a|MISSING_DOMAIN"])
        #expect(parse("a@[1.2") == ["-|-|a|MISSING_DOMAIN"])
        #expect(parse("a\\") == ["-|-|a|MISSING_DOMAIN"])
    }
}
