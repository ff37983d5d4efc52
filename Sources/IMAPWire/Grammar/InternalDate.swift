import Foundation
import NIOCore

/// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
public struct InternalDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Offset from UTC in minutes (`+0130` is 90).
    public var zoneMinutes: Int

    /// Fails unless every field is in range (zone within ±99:59, seconds up to 60 for a leap second).
    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        guard IMAPDate(year: year, month: month, day: day) != nil,
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            abs(zoneMinutes) <= 99 * 60 + 59
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// The wall-clock time of `date` in the given zone (fractional seconds dropped).
    public init(_ date: Date, zoneMinutes: Int = 0) {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + zoneMinutes * 60
        var days = local / 86_400
        var secs = local % 86_400
        if secs < 0 {
            secs += 86_400
            days -= 1
        }
        let ymd = IMAPDate.fromDays(days)
        self.year = ymd.year
        self.month = ymd.month
        self.day = ymd.day
        self.hour = secs / 3600
        self.minute = (secs % 3600) / 60
        self.second = secs % 60
        self.zoneMinutes = zoneMinutes
    }

    /// The instant this date-time denotes.
    public var date: Date {
        let days = IMAPDate(year: year, month: month, day: day)?.daysSinceEpoch ?? 0
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - zoneMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes `"dd-Mon-yyyy hh:mm:ss +zzzz"` (with the quotes).
    @discardableResult
    public mutating func writeInternalDate(_ d: InternalDate) -> Int {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        // date-day-fixed = (SP DIGIT) / 2DIGIT: two digits, as most servers (and clients' tests) expect.
        let day = two(d.day)
        let sign = d.zoneMinutes < 0 ? "-" : "+"
        let z = abs(d.zoneMinutes)
        let year = IMAPDate.fourDigits(d.year)
        return writeString(
            "\"\(day)-\(IMAPDate.monthNames[d.month - 1])-\(year) \(two(d.hour)):\(two(d.minute)):\(two(d.second)) \(sign)\(two(z / 60))\(two(z % 60))\""
        )
    }

    /// Writes a `Date` as a quoted date-time in UTC (`+0000`).
    @discardableResult
    public mutating func writeInternalDate(_ date: Date) -> Int {
        writeInternalDate(InternalDate(date))
    }
}
