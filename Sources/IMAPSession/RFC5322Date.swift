import Foundation

/// Parses RFC 5322 §3.3 dates (with the obsolete forms that real mail uses) into a calendar day in the
/// date's own time zone, which is what SENTBEFORE/SENTON/SENTSINCE compare (RFC 9051 §6.4.4).
enum RFC5322Date {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Year, month, day as written in the header, or nil when it cannot be read.
    static func day(_ text: String) -> (year: Int, month: Int, day: Int)? {
        var tokens = text.lowercased()
            .replacingOccurrences(of: ",", with: " ")
            .split(whereSeparator: { $0 == " " || $0 == "\t" })
            .map(String.init)
        if let first = tokens.first, first.count >= 3, first.first?.isLetter == true,
            !months.contains(String(first.prefix(3)))
        {
            tokens.removeFirst()
        }
        guard tokens.count >= 3, let day = Int(tokens[0]), (1...31).contains(day),
            let month = months.firstIndex(of: String(tokens[1].prefix(3))), var year = Int(tokens[2])
        else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        return (year, month + 1, day)
    }
}
