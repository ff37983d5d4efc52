// APPEND (RFC 9051, RFC 3502 MULTIAPPEND, RFC 3516 literal8). The framer streams the messages; the parser only
// reads what comes before each message literal.
extension GrammarParser {
    /// What precedes the first message: tag SP "APPEND" SP mailbox append-opts SP
    /// append = "APPEND" SP mailbox 1*append-message; append-message = append-opts SP append-data
    /// append-opts = [SP flag-list] [SP date-time]
    /// Or REPLACE (RFC 8508 §5): replace = "REPLACE" SP seq-number SP mailbox append-message, and
    /// uid-replace = "UID" SP replace (the number is a UID); `replacing` is then set.
    static func parseAppendStart(
        _ bytes: [UInt8], limits: IMAPLimits
    ) -> AppendStart? {
        var p = GrammarParser(bytes, limits: limits)
        guard let tag = try? p.tag(), p.consume(UInt8(ascii: " ")) else { return nil }
        var replacing: (target: UInt32, uid: Bool)?
        if !p.consumeKeyword("APPEND ") {
            let uid = p.consumeKeyword("UID ")
            guard p.consumeKeyword("REPLACE "), let target = try? p.nzNumber(), p.consume(UInt8(ascii: " ")) else {
                return nil
            }
            replacing = (target, uid)
        }
        guard let mailbox = try? p.mailbox(), let (flags, date, utf8) = try? p.appendOptions() else { return nil }
        return AppendStart(tag: tag, mailbox: mailbox, flags: flags, date: date, utf8: utf8, replacing: replacing)
    }

    /// The beginning of an APPEND or REPLACE, up to its first message literal.
    struct AppendStart {
        var tag: String
        var mailbox: MailboxName
        var flags: [Flag]
        var date: InternalDate?
        var utf8: Bool
        var replacing: (target: UInt32, uid: Bool)?
    }

    /// What precedes a further message (MULTIAPPEND): append-opts SP
    static func parseAppendContinuation(_ bytes: [UInt8], limits: IMAPLimits) throws -> ([Flag], InternalDate?, Bool) {
        var p = GrammarParser(bytes, limits: limits)
        return try p.appendOptions()
    }

    /// [SP flag-list] [SP date-time] SP ["UTF8" SP "("], then the end of the bytes (where the literal starts).
    /// append-data =/ "UTF8" SP "(" literal8 ")"   (RFC 6855 §4): the third value says the message is
    /// wrapped so, and a ")" follows it.
    /// Liberal where real clients differ from the grammar: each SP may be several spaces (Python's
    /// imapclient sends two between messages that have no flags or date).
    mutating func appendOptions() throws -> ([Flag], InternalDate?, Bool) {
        try spaces(or: "APPEND: expected a space before the message")
        var flags: [Flag] = []
        var date: InternalDate?
        if peek() == UInt8(ascii: "(") {
            flags = try flagList()
            try spaces(or: "APPEND: expected a space after the flag list")
        }
        if peek() == UInt8(ascii: "\"") {
            date = try dateTime()
            try spaces(or: "APPEND: expected a space after the date-time")
        }
        let utf8 = consumeKeyword("UTF8 (")
        guard isAtEnd else {
            throw ParseError("APPEND: expected a flag list, a date-time or the message literal")
        }
        return (flags, date, utf8)
    }

    /// What is wrong with a REPLACE (after "REPLACE") whose message literal could not be found.
    mutating func replaceDiagnosis() -> String {
        do {
            try space()
            _ = try nzNumber()
        } catch {
            return "REPLACE: expected a space and a message number"
        }
        let rest = appendDiagnosis()
        return rest.hasPrefix("APPEND") ? "REPLACE" + rest.dropFirst("APPEND".count) : rest
    }

    /// What is wrong with an APPEND whose message literal could not be found (the framer streams a
    /// well-formed one and never hands it to the command parser): the first part that does not parse.
    mutating func appendDiagnosis() -> String {
        do {
            try space()
            _ = try mailbox()
        } catch {
            return "APPEND: expected a space and a mailbox name"
        }
        while consume(UInt8(ascii: " ")) {}
        if peek() == UInt8(ascii: "(") {
            do { _ = try flagList() } catch { return "APPEND: invalid flag list: \(Self.message(error))" }
            while consume(UInt8(ascii: " ")) {}
        }
        if peek() == UInt8(ascii: "\"") {
            do { _ = try dateTime() } catch { return "APPEND: invalid date-time: \(Self.message(error))" }
        }
        return "APPEND needs a message literal"
    }

    private static func message(_ error: any Error) -> String {
        (error as? ParseError)?.message ?? "syntax error"
    }

    /// One or more spaces.
    private mutating func spaces(or message: String) throws {
        guard consume(UInt8(ascii: " ")) else { throw ParseError(message) }
        while consume(UInt8(ascii: " ")) {}
    }
}
