/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3).
public enum ModifiedUTF7 {
    public struct DecodingError: Error, Hashable, Sendable {
        public var message: String
    }

    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    private static func value(of byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(byte - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: ","): return 63
        default: return nil
        }
    }

    /// Decodes strictly: rejects 8-bit or control bytes, unterminated or malformed shifts, non-zero padding bits,
    /// unpaired surrogates, and base64 used for printable ASCII — unless `encodedASCII` allows it (Maildir++
    /// folder names on disk encode the "." that separates their levels).
    public static func decode(_ bytes: [UInt8], encodedASCII: Bool = false) throws -> String {
        var result = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte >= 0x20, byte <= 0x7E else { throw DecodingError(message: "invalid byte in mailbox name") }
            if byte != UInt8(ascii: "&") {
                result.append(Unicode.Scalar(byte))
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw DecodingError(message: "unterminated shift") }
            if bytes[i] == UInt8(ascii: "-") {
                result.append("&")
                i += 1
                continue
            }
            var bits: UInt32 = 0
            var bitCount = 0
            var units: [UInt16] = []
            while true {
                guard i < bytes.count else { throw DecodingError(message: "unterminated shift") }
                let b = bytes[i]
                i += 1
                if b == UInt8(ascii: "-") { break }
                guard let v = value(of: b) else { throw DecodingError(message: "invalid base64 character") }
                bits = (bits << 6) | v
                bitCount += 6
                if bitCount >= 16 {
                    bitCount -= 16
                    units.append(UInt16(truncatingIfNeeded: bits >> UInt32(bitCount)))
                    bits &= (1 << UInt32(bitCount)) - 1
                }
            }
            guard bitCount < 6, bits == 0 else { throw DecodingError(message: "bad base64 padding") }
            guard !units.isEmpty else { throw DecodingError(message: "empty shift") }
            var iterator = units.makeIterator()
            var decoder = UTF16()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    if !encodedASCII, scalar.value >= 0x20, scalar.value <= 0x7E {
                        throw DecodingError(message: "printable ASCII must not be encoded")
                    }
                    result.append(scalar)
                case .emptyInput: break loop
                case .error: throw DecodingError(message: "invalid UTF-16")
                }
            }
        }
        return String(result)
    }

    /// Encodes a string as modified UTF-7. `literal` says which printable ASCII bytes stay as they are (all
    /// of them by default); the others are encoded too (a Maildir++ folder name encodes ".").
    public static func encode(_ string: String, literal: (UInt8) -> Bool = { _ in true }) -> [UInt8] {
        var out: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            out.append(UInt8(ascii: "&"))
            var bits: UInt32 = 0
            var bitCount = 0
            for unit in pending {
                bits = (bits << 16) | UInt32(unit)
                bitCount += 16
                while bitCount >= 6 {
                    bitCount -= 6
                    out.append(alphabet[Int((bits >> UInt32(bitCount)) & 0x3F)])
                }
                bits &= (1 << UInt32(bitCount)) - 1
            }
            if bitCount > 0 { out.append(alphabet[Int((bits << UInt32(6 - bitCount)) & 0x3F)]) }
            out.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in string.unicodeScalars {
            if scalar.value >= 0x20, scalar.value <= 0x7E, literal(UInt8(scalar.value)) {
                flush()
                out.append(UInt8(scalar.value))
                if scalar == "&" { out.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: Array(String(scalar).utf16))
            }
        }
        flush()
        return out
    }
}
