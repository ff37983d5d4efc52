/// `${hex:...}` and `${unicode:...}` in string literals (RFC 5228 §2.4.2.4), decoded when the script
/// requires "encoded-character". A sequence that does not fit the grammar stays as written.
enum EncodedCharacters {
    /// A unicode-hex outside 0-D7FF and E000-10FFFF, which §2.4.2.4 makes an error.
    struct InvalidCharacter: Error {
        var digits: String
    }

    /// Stands for bytes of `${hex:...}` that are not UTF-8, which a Swift string cannot hold: U+FDD0, a
    /// noncharacter (Unicode §23.7: reserved for a program's internal use), so it is told apart from a
    /// U+FFFD that a script or a message really contains.
    static let notUTF8 = Unicode.Scalar(UInt32(0xFDD0))!

    /// The string with every encoded character decoded. Decoding works on bytes, so `${hex:C3}${hex:B6}`
    /// is "ö"; each stretch of bytes that still are not UTF-8 becomes ``notUTF8``.
    static func decode(_ s: String) throws(InvalidCharacter) -> String {
        guard s.contains("${") else { return s }
        let u = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "$"), i + 1 < u.count, u[i + 1] == UInt8(ascii: "{"),
                let close = u[(i + 2)...].firstIndex(of: UInt8(ascii: "}"))
            {
                if let decoded = try decodeInner(u[(i + 2)..<close]) {
                    out += decoded
                    i = close + 1
                    continue
                }
            }
            out.append(u[i])
            i += 1
        }
        var text = String.UnicodeScalarView()
        var bytes = out.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let encoded): text.append(Unicode.UTF8.decode(encoded))
            case .error: text.append(notUTF8)
            case .emptyInput: return String(text)
            }
        }
    }

    /// The bytes of what is between `${` and `}`, nil when it is not an encoded character:
    ///
    ///     encoded-arb-octets   = "${hex:" hex-pair-seq "}"
    ///     hex-pair-seq         = *blank hex-pair *(1*blank hex-pair) *blank
    ///     hex-pair             = 1*2HEXDIG
    ///     encoded-unicode-char = "${unicode:" unicode-hex-seq "}"
    ///     unicode-hex-seq      = *blank unicode-hex *(1*blank unicode-hex) *blank
    ///     unicode-hex          = 1*HEXDIG
    ///     blank                = WSP / CRLF
    ///
    /// "hex" and "unicode" are case-insensitive; a unicode-hex may have any number of leading zeros.
    private static func decodeInner(_ inner: ArraySlice<UInt8>) throws(InvalidCharacter) -> [UInt8]? {
        guard let colon = inner.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let kind = String(decoding: inner[..<colon], as: UTF8.self).lowercased()
        let blanks: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
        let words = inner[(colon + 1)...].split(whereSeparator: blanks.contains)
        // At least one hex-pair or unicode-hex: `${hex:}` stays as written.
        guard !words.isEmpty, words.allSatisfy({ $0.allSatisfy(isHexDigit) }) else { return nil }
        switch kind {
        case "hex":
            var bytes: [UInt8] = []
            for w in words {
                guard w.count <= 2 else { return nil }
                bytes.append(UInt8(hexValue(w)))
            }
            return bytes
        case "unicode":
            var out = ""
            for w in words {
                let digits = w.drop { $0 == UInt8(ascii: "0") }
                let text = String(decoding: w, as: UTF8.self)
                // More than six significant digits is beyond U+10FFFF.
                guard digits.count <= 6, let scalar = Unicode.Scalar(UInt32(hexValue(digits))) else {
                    throw InvalidCharacter(digits: text)
                }
                out.unicodeScalars.append(scalar)
            }
            return Array(out.utf8)
        default:
            return nil
        }
    }

    static func isHexDigit(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
    }

    /// The value of a few hex digits (at most six are ever given).
    private static func hexValue(_ digits: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for c in digits {
            let d: UInt8 = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10
            v = v * 16 + UInt64(d)
        }
        return v
    }
}
