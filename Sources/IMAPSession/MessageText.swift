import Foundation

/// Minimal RFC 5322 views of a stored message that the core FETCH and SEARCH need: where the header
/// ends, the header fields (unfolded names, raw values), and the Date header.
///
/// This is deliberately small: the MIME module (structure, encoded words, charsets) replaces the text
/// matching here when the message-model work lands.
struct MessageText {
    let bytes: [UInt8]
    /// Index of the first byte of the body (after the blank line), or `bytes.count` when there is none.
    let bodyStart: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.bodyStart = MessageText.findBodyStart(bytes)
    }

    /// The header including the blank line that ends it (RFC 9051 §6.4.5 HEADER).
    var header: ArraySlice<UInt8> { bytes[0..<bodyStart] }
    var body: ArraySlice<UInt8> { bytes[bodyStart...] }

    static func findBodyStart(_ b: [UInt8]) -> Int {
        var i = 0
        // A message that starts with a blank line has an empty header.
        if b.count >= 2 && b[0] == 13 && b[1] == 10 { return 2 }
        if b.count >= 1 && b[0] == 10 { return 1 }
        while i < b.count {
            if b[i] == 10 {
                if i + 1 < b.count && b[i + 1] == 10 { return i + 2 }
                if i + 2 < b.count && b[i + 1] == 13 && b[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return b.count
    }

    /// A header field: its name, and its raw lines (name, colon, value and folded continuations, with
    /// their line endings).
    struct Field {
        var name: String
        var raw: ArraySlice<UInt8>
        /// The value unfolded (CRLF before white space removed), without the leading space.
        var value: String {
            guard let colon = raw.firstIndex(of: 58) else { return "" }
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            for byte in raw[(colon + 1)...] where byte != 13 && byte != 10 { out.append(byte) }
            while let first = out.first, first == 32 || first == 9 { out.removeFirst() }
            while let last = out.last, last == 32 || last == 9 { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
    }

    var fields: [Field] {
        var result: [Field] = []
        let end = bodyStart
        var i = 0
        while i < end {
            let lineStart = i
            // A field runs to the end of the first line not followed by white space.
            while i < end {
                guard let nl = bytes[i..<end].firstIndex(of: 10) else {
                    i = end
                    break
                }
                i = nl + 1
                if i < end, bytes[i] == 32 || bytes[i] == 9 { continue }
                break
            }
            let raw = bytes[lineStart..<i]
            if raw.allSatisfy({ $0 == 13 || $0 == 10 }) { continue }
            guard let colon = raw.firstIndex(of: 58) else { continue }
            let nameBytes = bytes[lineStart..<colon].filter { $0 != 32 && $0 != 9 }
            result.append(Field(name: String(decoding: nameBytes, as: UTF8.self), raw: raw))
        }
        return result
    }

    /// HEADER.FIELDS / HEADER.FIELDS.NOT (RFC 9051 §6.4.5): the chosen fields followed by a blank line.
    func headerFields(_ names: [String], not: Bool) -> [UInt8] {
        let wanted = Set(names.map { $0.lowercased() })
        var out: [UInt8] = []
        for field in fields where wanted.contains(field.name.lowercased()) != not {
            out.append(contentsOf: field.raw)
            if out.last != 10 { out.append(contentsOf: [13, 10]) }
        }
        out.append(contentsOf: [13, 10])
        return out
    }

    func values(of name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }
}

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
        if let first = tokens.first, first.count >= 3, first.first?.isLetter == true, !months.contains(String(first.prefix(3))) {
            tokens.removeFirst()
        }
        guard tokens.count >= 3, let day = Int(tokens[0]), (1...31).contains(day),
            let month = months.firstIndex(of: String(tokens[1].prefix(3))), var year = Int(tokens[2])
        else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        return (year, month + 1, day)
    }
}
