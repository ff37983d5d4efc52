/// A literal announced at the end of a line: `{n}`, `{n+}` (RFC 7888) or `~{n}` (literal8, RFC 3516).
struct LiteralAnnouncement: Hashable {
    /// Index in the line of the `{` (or of the `~` of a literal8).
    var start: Int
    /// The announced size; `Int.max` if it does not fit.
    var size: Int
    var synchronizing: Bool
    var binary: Bool

    /// The literal a line ends with, outside any quoted string; nil if the line does not end with one.
    static func find(in line: [UInt8]) -> LiteralAnnouncement? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var inQuote = false
        var i = 0
        while i < line.count {
            let b = line[i]
            if inQuote {
                if b == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "\"") { inQuote = false }
            } else if b == UInt8(ascii: "\"") {
                inQuote = true
            }
            i += 1
        }
        guard !inQuote else { return nil }
        var j = line.count - 2
        var synchronizing = true
        if j >= 0, line[j] == UInt8(ascii: "+") {
            synchronizing = false
            j -= 1
        }
        let digitsEnd = j + 1
        while j >= 0, line[j].isDigit { j -= 1 }
        let digitsStart = j + 1
        guard digitsStart < digitsEnd, j >= 0, line[j] == UInt8(ascii: "{") else { return nil }
        var size = 0
        if digitsEnd - digitsStart > 18 {
            size = Int.max
        } else {
            for d in line[digitsStart..<digitsEnd] { size = size * 10 + Int(d - 0x30) }
        }
        let binary = j >= 1 && line[j - 1] == UInt8(ascii: "~")
        return LiteralAnnouncement(start: binary ? j - 1 : j, size: size, synchronizing: synchronizing, binary: binary)
    }
}
