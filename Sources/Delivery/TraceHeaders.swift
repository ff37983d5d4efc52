import Foundation

/// The header fields prepended to a delivered message (RFC 5321 §4.4): `Return-Path` (the envelope
/// sender), `Delivered-To` (the recipient, as given) and, for LMTP, a `Received` trace line.
public struct TraceHeaders: Sendable {
    public var sender: String?
    public var hostName: String
    /// LMTP: the client's LHLO name and address, the transaction's id; nil for `postern deliver`.
    public var received: (clientName: String, clientAddress: String, id: String)?
    public var date: Date

    public init(
        sender: String?, hostName: String, received: (clientName: String, clientAddress: String, id: String)?,
        date: Date = Date()
    ) {
        self.sender = sender
        self.hostName = hostName
        self.received = received
        self.date = date
    }

    /// The prefix for one recipient, CRLF-terminated lines.
    public func prefix(recipient: String) -> [UInt8] {
        var text = "Return-Path: <\(Self.clean(sender ?? ""))>\r\n"
        text += "Delivered-To: \(Self.clean(recipient))\r\n"
        if let received {
            text += "Received: from \(Self.clean(received.clientName)) (\(Self.clean(received.clientAddress)))\r\n"
            text += "\tby \(Self.clean(hostName)) (Postern) with LMTP id \(received.id)\r\n"
            text += "\tfor <\(Self.clean(recipient))>; \(Self.format(date))\r\n"
        }
        return Array(text.utf8)
    }

    /// No CR, LF or other control characters can reach a header from an envelope.
    static func clean(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 }.map(Character.init))
    }

    /// RFC 5322 §3.3 date-time, in UTC: `Sat, 05 Dec 2026 10:00:00 +0000`.
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}
