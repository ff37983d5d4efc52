import Foundation

/// The tokens of the response grammar (RFC 9051 §9), read across a framed response's lines and literals.
extension ClientResponseParser {
    var line: [UInt8] { framed.lines[lineIndex] }

    /// The next byte of the current line, or nil at its end.
    func peek() -> UInt8? {
        position < line.count ? line[position] : nil
    }

    func failure(_ what: String) -> ResponseSyntaxError {
        ResponseSyntaxError(message: "\(what) at byte \(position) of \"\(Self.excerpt(line))\"")
    }

    /// The start of a line for error messages: never a literal's content.
    static func excerpt(_ line: [UInt8]) -> String {
        let text = String(decoding: line.prefix(60), as: UTF8.self)
        return line.count > 60 ? text + "..." : text
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    mutating func expect(_ text: String) throws {
        for byte in text.utf8 {
            guard peek() == byte else { throw failure("expected \(text.debugDescription)") }
            position += 1
        }
    }

    mutating func expectWord(_ word: String) throws {
        guard try atom().uppercased() == word else { throw failure("expected \(word)") }
    }

    /// Bytes up to the next SP, "(", ")", "[", "]", "<" or the end of the line; at least one.
    mutating func atom() throws -> String {
        let start = position
        while let byte = peek(), !Self.atomEnds.contains(byte) { position += 1 }
        guard position > start else { throw failure("expected an atom") }
        return String(decoding: line[start..<position], as: UTF8.self)
    }

    static let atomEnds: Set<UInt8> = [0x20, 0x28, 0x29, 0x5B, 0x5D, 0x3C, 0x22]

    /// number64 = 1*DIGIT, within 64 bits
    mutating func number() throws -> UInt64 {
        let start = position
        while let byte = peek(), Self.isDigit(byte) { position += 1 }
        guard position > start, position - start <= 20,
            let value = UInt64(String(decoding: line[start..<position], as: UTF8.self))
        else { throw failure("expected a number within 64 bits") }
        return value
    }

    /// number = 1*DIGIT within 32 bits
    mutating func number32() throws -> UInt32 {
        let value = try number()
        guard value <= UInt64(UInt32.max) else { throw failure("a number beyond 32 bits") }
        return UInt32(value)
    }

    mutating func restOfLine() -> String {
        defer { position = line.count }
        return String(decoding: line[position...], as: UTF8.self)
    }

    /// The atoms up to the end of the line, each after a space.
    mutating func atomsToEnd() -> [String] {
        var names: [String] = []
        while peek() == UInt8(ascii: " ") {
            position += 1
            guard let name = try? atom() else { break }
            names.append(name)
        }
        return names
    }

    /// string = quoted / literal; literal8 ("~{n}") too.
    mutating func string() throws -> ResponseLiteral {
        switch peek() {
        case UInt8(ascii: "\""):
            position += 1
            var bytes: [UInt8] = []
            while true {
                guard var byte = peek() else { throw failure("an unterminated quoted string") }
                position += 1
                if byte == UInt8(ascii: "\"") { return .bytes(bytes) }
                if byte == UInt8(ascii: "\\") {
                    guard let escaped = peek() else { throw failure("an unterminated quoted string") }
                    byte = escaped
                    position += 1
                }
                bytes.append(byte)
            }
        case UInt8(ascii: "{"), UInt8(ascii: "~"):
            if peek() == UInt8(ascii: "~") { position += 1 }
            try expect("{")
            _ = try number()
            try expect("}")
            guard position == line.count, lineIndex < framed.literals.count else {
                throw failure("a literal announcement before the end of the line")
            }
            let literal = framed.literals[lineIndex]
            lineIndex += 1
            position = 0
            return literal
        default:
            throw failure("expected a string")
        }
    }

    /// A string's bytes, which must be in memory (a short value, never a sunk literal).
    mutating func stringBytes() throws -> [UInt8] {
        guard case .bytes(let bytes) = try string() else { throw failure("a long literal where a short value belongs") }
        return bytes
    }

    /// nstring = string / nil
    mutating func nstring() throws -> ResponseLiteral? {
        if peek() == UInt8(ascii: "N") || peek() == UInt8(ascii: "n") {
            try expectWord("NIL")
            return nil
        }
        return try string()
    }

    /// astring = 1*ASTRING-CHAR / string
    mutating func astring() throws -> [UInt8] {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "~"): return try stringBytes()
        default:
            let start = position
            while let byte = peek(), byte != 0x20, byte != 0x28, byte != 0x29 { position += 1 }
            guard position > start else { throw failure("expected a string") }
            return Array(line[start..<position])
        }
    }

    /// flag-list = "(" [flag *(SP flag)] ")"; also mbx-list-flags.
    mutating func flagList() throws -> [String] {
        try expect("(")
        var flags: [String] = []
        while peek() != UInt8(ascii: ")") {
            if !flags.isEmpty { try expect(" ") }
            let start = position
            while let byte = peek(), byte != 0x20, byte != 0x29, byte != 0x28 { position += 1 }
            guard position > start else { throw failure("expected a flag") }
            flags.append(String(decoding: line[start..<position], as: UTF8.self))
        }
        position += 1
        return flags
    }

    /// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    /// (the quotes already removed): the moment and the zone in minutes east of UTC.
    static func internalDate(_ bytes: [UInt8]) -> (Date, Int)? {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard parts.count == 3 else { return nil }
        let day = parts[0].split(separator: "-")
        let time = parts[1].split(separator: ":")
        let zone = parts[2]
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard day.count == 3, time.count == 3, zone.count == 5, let sign = zone.first, sign == "+" || sign == "-",
            let dayOfMonth = Int(day[0]), let monthIndex = months.firstIndex(of: day[1].lowercased()),
            let year = Int(day[2]), let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]),
            let zoneValue = Int(zone.dropFirst()), (1...31).contains(dayOfMonth), (0...9999).contains(year),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let zoneMinutes = (sign == "-" ? -1 : 1) * ((zoneValue / 100) * 60 + zoneValue % 100)
        var components = DateComponents()
        components.year = year
        components.month = monthIndex + 1
        components.day = dayOfMonth
        components.hour = hour
        components.minute = minute
        components.second = second
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(secondsFromGMT: 0) else { return nil }
        calendar.timeZone = utc
        guard let local = calendar.date(from: components) else { return nil }
        return (local.addingTimeInterval(TimeInterval(-zoneMinutes * 60)), zoneMinutes)
    }
}
