// Small values shared by several commands: sequence sets, flags, dates.
extension GrammarParser {
    /// seq-number = nz-number / "*"
    mutating func sequenceNumber() throws -> SequenceNumber {
        if consume(UInt8(ascii: "*")) { return .last }
        guard peek()?.isDigit == true else { throw ParseError("expected sequence number") }
        guard peek() != UInt8(ascii: "0") else { throw ParseError("sequence number 0 is invalid") }
        return .number(try number())
    }

    /// sequence-set = (seq-number / seq-range) ["," sequence-set]; seq-range = seq-number ":" seq-number
    /// seq-last-command = "$"   (RFC 5182)
    mutating func sequenceSet() throws -> SequenceSet {
        if consume(UInt8(ascii: "$")) { return .lastCommandResult }
        var ranges: [SequenceRange] = []
        repeat {
            guard ranges.count < limits.maxSequenceRanges else { throw ParseError("too many ranges in sequence set") }
            let first = try sequenceNumber()
            if consume(UInt8(ascii: ":")) {
                ranges.append(SequenceRange(first, try sequenceNumber()))
            } else {
                ranges.append(SequenceRange(first))
            }
        } while consume(UInt8(ascii: ","))
        return .ranges(ranges)
    }

    /// flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
    /// flag-keyword = "$MDNSent" / "$Forwarded" / ... / atom; flag-extension = "\" atom
    mutating func flag() throws -> Flag {
        if consume(UInt8(ascii: "\\")) {
            return Flag("\\" + (try atom()))
        }
        return .keyword(try atom())
    }

    /// flag-list = "(" [flag *(SP flag)] ")"
    mutating func flagList() throws -> [Flag] {
        try parenthesizedList(allowEmpty: true) { try $0.flag() }
    }

    /// date-month = "Jan" / "Feb" / ... / "Dec"
    mutating func dateMonth() throws -> Int {
        for (i, name) in IMAPDate.monthNames.enumerated() where consumeKeyword(name.uppercased()) {
            return i + 1
        }
        throw ParseError("invalid month")
    }

    /// Exactly `count` digits.
    mutating func fixedDigits(_ count: Int) throws -> Int {
        var v = 0
        for _ in 0..<count {
            guard let b = peek(), b.isDigit else { throw ParseError("expected digit") }
            v = v * 10 + Int(b - 0x30)
            index += 1
        }
        return v
    }

    /// date = date-text / DQUOTE date-text DQUOTE
    /// date-text = date-day "-" date-month "-" date-year; date-day = 1*2DIGIT; date-year = 4DIGIT
    mutating func date() throws -> IMAPDate {
        let quotedDate = consume(UInt8(ascii: "\""))
        let d1 = try fixedDigits(1)
        let day = peek()?.isDigit == true ? d1 * 10 + (try fixedDigits(1)) : d1
        try expect(UInt8(ascii: "-"), "-")
        let month = try dateMonth()
        try expect(UInt8(ascii: "-"), "-")
        let year = try fixedDigits(4)
        if quotedDate { try expect(UInt8(ascii: "\""), "closing quote") }
        guard let date = IMAPDate(year: year, month: month, day: day) else { throw ParseError("invalid date") }
        return date
    }

    /// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    /// date-day-fixed = (SP DIGIT) / 2DIGIT; time = 2DIGIT ":" 2DIGIT ":" 2DIGIT; zone = ("+" / "-") 4DIGIT
    mutating func dateTime() throws -> InternalDate {
        try expect(UInt8(ascii: "\""), "date-time")
        let day = consume(UInt8(ascii: " ")) ? try fixedDigits(1) : try fixedDigits(2)
        try expect(UInt8(ascii: "-"), "-")
        let month = try dateMonth()
        try expect(UInt8(ascii: "-"), "-")
        let year = try fixedDigits(4)
        try space()
        let hour = try fixedDigits(2)
        try expect(UInt8(ascii: ":"), ":")
        let minute = try fixedDigits(2)
        try expect(UInt8(ascii: ":"), ":")
        let second = try fixedDigits(2)
        try space()
        let sign: Int
        if consume(UInt8(ascii: "+")) {
            sign = 1
        } else if consume(UInt8(ascii: "-")) {
            sign = -1
        } else {
            throw ParseError("expected time zone")
        }
        let zh = try fixedDigits(2)
        let zm = try fixedDigits(2)
        guard zm < 60 else { throw ParseError("invalid time zone") }
        try expect(UInt8(ascii: "\""), "closing quote")
        guard
            let d = InternalDate(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                zoneMinutes: sign * (zh * 60 + zm))
        else { throw ParseError("invalid date-time") }
        return d
    }
}
