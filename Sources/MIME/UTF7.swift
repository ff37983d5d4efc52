/// UTF-7 (RFC 2152), the charset some old mail and encoded words use: ASCII as itself, other characters as
/// modified base64 of UTF-16 between "+" and "-" ("+-" is a plus sign).
enum UTF7 {
    /// The text of `bytes`; a malformed shift sequence keeps what decodes (a broken UTF-16 unit becomes
    /// U+FFFD), bytes above 0x7F (not UTF-7) are read as ISO-8859-1.
    static func decode(_ bytes: some Collection<UInt8>) -> String {
        var out = String.UnicodeScalarView()
        var units: [UInt16] = []
        var bits: UInt32 = 0
        var bitCount = 0
        var shifted = false
        var justShifted = false
        func flush() {
            for scalar in String(decoding: units, as: UTF16.self).unicodeScalars { out.append(scalar) }
            units.removeAll(keepingCapacity: true)
            bits = 0
            bitCount = 0
        }
        for b in bytes {
            if shifted {
                if let v = base64Value(b) {
                    bits = bits << 6 | UInt32(v)
                    bitCount += 6
                    if bitCount >= 16 {
                        bitCount -= 16
                        units.append(UInt16(truncatingIfNeeded: bits >> UInt32(bitCount)))
                        bits &= (1 << UInt32(bitCount)) - 1
                    }
                    justShifted = false
                    continue
                }
                let plusMinus = justShifted && b == UInt8(ascii: "-")
                flush()
                shifted = false
                justShifted = false
                if plusMinus {
                    out.append("+")
                    continue
                }
                if b == UInt8(ascii: "-") { continue }
            }
            if b == UInt8(ascii: "+") {
                shifted = true
                justShifted = true
                continue
            }
            out.append(Unicode.Scalar(b))
        }
        if shifted { flush() }
        return String(out)
    }

    static func base64Value(_ b: UInt8) -> UInt8? {
        switch b {
        case 65...90: return b - 65
        case 97...122: return b - 71
        case 48...57: return b + 4
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
