/// The instant an RFC 5322 §3.3 date-time names (with the obsolete forms of §4.3: two- and three-digit
/// years, alphabetic zones, comments), as seconds since 1970 UTC; SORT DATE and THREAD compare it
/// (RFC 5256 §3). Nil when it cannot be read: the caller then uses the internal date.
///
///     date-time = [ day-of-week "," ] date time [CFWS]
///     date      = day month year
///     time      = hour ":" minute [ ":" second ] FWS zone
///     zone      = ( "+" / "-" ) 4DIGIT / obs-zone
enum SentDate {
    static func seconds(_ text: String) -> Int64? {
        // Comments out, commas and colons as separators.
        var cleaned = ""
        var depth = 0
        for c in text {
            if c == "(" {
                depth += 1
            } else if c == ")" {
                depth = max(depth - 1, 0)
            } else if depth == 0 {
                cleaned.append(c == "," ? " " : c)
            }
        }
        var tokens = cleaned.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            .map(String.init)
        if let first = tokens.first, first.first?.isLetter == true { tokens.removeFirst() }
        guard tokens.count >= 4, let day = Int(tokens[0]), (1...31).contains(day),
            let month = RFC5322Date.months.firstIndex(of: String(tokens[1].prefix(3))), var year = Int(tokens[2])
        else { return nil }
        if tokens[2].count < 4 { year += year < 50 ? 2000 : 1900 }
        // Four digits at most (RFC 5322 §3.3): nothing larger reaches the arithmetic below.
        guard (0...9999).contains(year) else { return nil }
        let clock = tokens[3].split(separator: ":").map { Int($0) }
        guard clock.count >= 2, clock.count <= 3, clock.allSatisfy({ $0 != nil }) else { return nil }
        let hour = clock[0]!
        let minute = clock[1]!
        let second = clock.count == 3 ? clock[2]! : 0
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let offset = tokens.count > 4 ? zoneOffset(tokens[4]) : 0
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
    }

    /// The zone's offset from UTC in seconds; unknown zones count as UTC (RFC 5322 §4.3).
    static func zoneOffset(_ zone: String) -> Int {
        if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let value = Int(zone.dropFirst()) {
            let seconds = (value / 100) * 3600 + (value % 100) * 60
            return sign == "-" ? -seconds : seconds
        }
        let named = [
            "ut": 0, "gmt": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8,
        ]
        return (named[zone] ?? 0) * 3600
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
