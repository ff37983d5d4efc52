import Foundation
import MailStore

/// Line-level helpers of the mbox reader and writer.
enum MboxLines {
    static let from = Array("From ".utf8)

    /// The index of the LF ending the line at `from` (or the end of the buffer).
    static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var i = from
        while i < bytes.count && bytes[i] != 0x0A { i += 1 }
        return i
    }

    static func isFromLine(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + from.count <= bytes.count else { return false }
        for (offset, byte) in from.enumerated() where bytes[i + offset] != byte { return false }
        return true
    }

    /// The start of the next line beginning with "From " at or after `after` (a line start), or the end.
    static func nextFromLine(_ bytes: UnsafeBufferPointer<UInt8>, after: Int) -> Int {
        var i = after
        while i < bytes.count {
            if isFromLine(bytes, at: i) { return i }
            i = lineEnd(bytes, from: i) + 1
        }
        return bytes.count
    }

    /// Calls `body` with each line of `from..<to` (its LF included); `unfolded` joins a header field's
    /// continuation lines (starting with space or tab) to it.
    static func forEachLine(
        _ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, unfolded: Bool, _ body: (Range<Int>, Int) -> Void
    ) {
        var i = from
        var number = 0
        while i < to {
            var end = min(lineEnd(bytes, from: i) + 1, to)
            if unfolded {
                while end < to && (bytes[end] == 0x20 || bytes[end] == 0x09) {
                    end = min(lineEnd(bytes, from: end) + 1, to)
                }
            }
            body(i..<end, number)
            number += 1
            i = end
        }
    }

    /// The lowercased name of a header field line, or nil when it is not one.
    static func headerName(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> String? {
        var i = line.lowerBound
        while i < line.upperBound && bytes[i] != UInt8(ascii: ":") {
            let byte = bytes[i]
            guard byte > 0x20 && byte < 0x7F else { return nil }
            i += 1
        }
        guard i < line.upperBound, i > line.lowerBound else { return nil }
        return String(decoding: bytes[line.lowerBound..<i], as: UTF8.self).lowercased()
    }

    /// The field's value, unfolded and trimmed.
    static func headerValue(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> String {
        guard let colon = bytes[line].firstIndex(of: UInt8(ascii: ":")) else { return "" }
        let text = String(decoding: bytes[(colon + 1)..<line.upperBound], as: UTF8.self)
        return text.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).joined().trimmingCharacters(in: .whitespaces)
    }

    /// mboxrd unquoting: a line of one or more ">" then "From " loses one ">".
    static func unquoted(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var i = line.lowerBound
        while i < line.upperBound && bytes[i] == UInt8(ascii: ">") { i += 1 }
        if i > line.lowerBound && isFromLine(bytes, at: i) && i + from.count <= line.upperBound {
            return bytes[(line.lowerBound + 1)..<line.upperBound]
        }
        return bytes[line]
    }

    /// Whether `line` (without its ">" quoting) is a From_ line that mboxrd quotes.
    static func needsQuote(_ line: ArraySlice<UInt8>) -> Bool {
        var i = line.startIndex
        while i < line.endIndex && line[i] == UInt8(ascii: ">") { i += 1 }
        return line[i...].starts(with: from)
    }
}

/// The header section of an mbox message: where it ends and what its metadata headers say.
struct MboxHeaders {
    var bodyStart: Int
    var flags = MessageFlags()
    var contentLength: Int?
    /// The folder-data pseudo message (an X-IMAP header) some mbox writers put first.
    var isFolderData = false

    /// The header section from `from` to its blank line (or to a From_ line or the end, for a
    /// message without one).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> MboxHeaders {
        var i = from
        while i < bytes.count {
            if bytes[i] == 0x0A { i += 1; break }
            if bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 2; break }
            if i > from && MboxLines.isFromLine(bytes, at: i) { break }
            i = MboxLines.lineEnd(bytes, from: i) + 1
        }
        var headers = MboxHeaders(bodyStart: min(i, bytes.count))
        MboxLines.forEachLine(bytes, from: from, to: headers.bodyStart, unfolded: true) { line, _ in
            guard let name = MboxLines.headerName(bytes, line), MboxFile.metadataHeaders.contains(name) else { return }
            headers.apply(name, MboxLines.headerValue(bytes, line))
        }
        return headers
    }

    /// Status: R \Seen (O: not new, nothing to keep). X-Status: A \Answered, F \Flagged, T \Draft,
    /// D \Deleted. X-Keywords: keywords separated by spaces or commas.
    mutating func apply(_ name: String, _ value: String) {
        switch name {
        case "status":
            if value.contains("R") { flags.system.insert(.seen) }
        case "x-status":
            for (letter, flag) in [("A", SystemFlags.answered), ("F", .flagged), ("T", .draft), ("D", .deleted)]
            where value.contains(letter) {
                flags.system.insert(flag)
            }
        case "x-keywords":
            for keyword in value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
                flags.keywords.insert(String(keyword))
            }
        case "content-length":
            contentLength = Int(value)
        case "x-imap", "x-imapbase":
            if name == "x-imap" { isFolderData = true }
        default:
            break
        }
    }
}

/// The date of a From_ line: `From sender Www Mmm dd hh:mm:ss [zone] yyyy [zone]` (asctime, UTC
/// unless a numeric zone is given).
enum FromLine {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func date(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Date? {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let tokens = text.split(separator: " ").map { String($0) }
        guard let m = tokens.indices.dropFirst(2).first(where: { months.contains(tokens[$0].lowercased()) }),
            m + 2 < tokens.count, let month = months.firstIndex(of: tokens[m].lowercased()),
            let day = Int(tokens[m + 1])
        else { return nil }
        let time = tokens[m + 2].split(separator: ":").compactMap { Int($0) }
        guard time.count >= 2 else { return nil }
        var year: Int?
        var zone = 0
        for token in tokens[(m + 3)...] {
            if token.count == 4, let value = Int(token) {
                year = value
            } else if token.count == 5, let sign = token.first, sign == "+" || sign == "-",
                let value = Int(token.dropFirst())
            {
                zone = (sign == "-" ? -1 : 1) * ((value / 100) * 3600 + (value % 100) * 60)
            }
        }
        guard let year else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month + 1, day)
        (components.hour, components.minute, components.second) = (time[0], time[1], time.count > 2 ? time[2] : 0)
        components.timeZone = TimeZone(secondsFromGMT: 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar.date(from: components).map { $0.addingTimeInterval(TimeInterval(-zone)) }
    }
}
