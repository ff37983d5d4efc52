// APPEND (RFC 9051, RFC 3502 MULTIAPPEND, RFC 3516 literal8). The framer streams the messages; the parser only
// reads what comes before each message literal.
extension GrammarParser {
    /// What precedes the first message: tag SP "APPEND" SP mailbox append-opts SP
    /// append = "APPEND" SP mailbox 1*append-message; append-message = append-opts SP append-data
    /// append-opts = [SP flag-list] [SP date-time]
    static func parseAppendStart(
        _ bytes: [UInt8], limits: IMAPLimits
    ) -> (tag: String, mailbox: MailboxName, flags: [Flag], date: InternalDate?, utf8: Bool)? {
        var p = GrammarParser(bytes, limits: limits)
        guard let tag = try? p.tag(), p.consume(UInt8(ascii: " ")), p.consumeKeyword("APPEND "),
            let mailbox = try? p.mailbox(), let (flags, date, utf8) = try? p.appendOptions()
        else { return nil }
        return (tag, mailbox, flags, date, utf8)
    }

    /// What precedes a further message (MULTIAPPEND): append-opts SP
    static func parseAppendContinuation(_ bytes: [UInt8], limits: IMAPLimits) throws -> ([Flag], InternalDate?, Bool) {
        var p = GrammarParser(bytes, limits: limits)
        return try p.appendOptions()
    }

    /// [SP flag-list] [SP date-time] SP ["UTF8" SP "("], then the end of the bytes (where the literal starts).
    /// append-data =/ "UTF8" SP "(" literal8 ")"   (RFC 6855 §4): the third value says the message is
    /// wrapped so, and a ")" follows it.
    mutating func appendOptions() throws -> ([Flag], InternalDate?, Bool) {
        try space()
        var flags: [Flag] = []
        var date: InternalDate?
        if peek() == UInt8(ascii: "(") {
            flags = try flagList()
            try space()
        }
        if peek() == UInt8(ascii: "\"") {
            date = try dateTime()
            try space()
        }
        let utf8 = consumeKeyword("UTF8 (")
        guard isAtEnd else { throw ParseError("invalid APPEND arguments") }
        return (flags, date, utf8)
    }
}
