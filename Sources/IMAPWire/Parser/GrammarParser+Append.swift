// APPEND (RFC 9051, RFC 3502 MULTIAPPEND, RFC 3516 literal8). The framer streams the messages; the parser only
// reads what comes before each message literal.
extension GrammarParser {
    /// What precedes the first message: tag SP "APPEND" SP mailbox append-opts SP
    /// append = "APPEND" SP mailbox 1*append-message; append-message = append-opts SP append-data
    /// append-opts = [SP flag-list] [SP date-time]
    static func parseAppendStart(
        _ bytes: [UInt8], limits: IMAPLimits
    ) -> (tag: String, mailbox: MailboxName, flags: [Flag], date: InternalDate?)? {
        var p = GrammarParser(bytes, limits: limits)
        guard let tag = try? p.tag(), p.consume(UInt8(ascii: " ")), p.consumeKeyword("APPEND "),
            let mailbox = try? p.mailbox(), let (flags, date) = try? p.appendOptions()
        else { return nil }
        return (tag, mailbox, flags, date)
    }

    /// What precedes a further message (MULTIAPPEND): append-opts SP
    static func parseAppendContinuation(_ bytes: [UInt8], limits: IMAPLimits) throws -> ([Flag], InternalDate?) {
        var p = GrammarParser(bytes, limits: limits)
        return try p.appendOptions()
    }

    /// [SP flag-list] [SP date-time] SP, then the end of the bytes (where the literal starts).
    mutating func appendOptions() throws -> ([Flag], InternalDate?) {
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
        guard isAtEnd else { throw ParseError("invalid APPEND arguments") }
        return (flags, date)
    }
}
