/// IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3), which Maildir folder names on disk use:
/// printable ASCII stands for itself except "&", written "&-"; other characters are UTF-16 in a
/// modified base64 ("," for "/") between "&" and "-".
///
///     name     = *( printable-except-amp / "&-" / "&" 1*b64char "-" )
///     b64char  = ALPHA / DIGIT / "+" / ","
public enum ModifiedUTF7 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    /// The Unicode name, or nil when `text` is not valid modified UTF-7 (an unterminated or malformed
    /// "&…-" run, or UTF-16 that does not pair up).
    public static func decode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var result = ""
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "&") else {
                guard byte >= 0x20 && byte < 0x7F else { return nil }
                result.unicodeScalars.append(Unicode.Scalar(byte))
                i += 1
                continue
            }
            guard let end = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            if end == i + 1 {
                result += "&"
            } else {
                guard let units = utf16(of: bytes[(i + 1)..<end]) else { return nil }
                var iterator = units.makeIterator()
                var decoder = UTF16()
                decoding: while true {
                    switch decoder.decode(&iterator) {
                    case .scalarValue(let scalar): result.unicodeScalars.append(scalar)
                    case .emptyInput: break decoding
                    case .error: return nil
                    }
                }
            }
            i = end + 1
        }
        return result
    }

    /// `text` in modified UTF-7. `literal` says which printable ASCII characters stay as they are
    /// (all of them by default); the others are encoded too (a Maildir++ folder name encodes ".").
    public static func encode(_ text: String, literal: (UInt8) -> Bool = { _ in true }) -> String {
        var result = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            result += "&" + base64(pending) + "-"
            pending.removeAll()
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value >= 0x20 && value < 0x7F && literal(UInt8(value)) {
                flush()
                result += value == 0x26 ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return result
    }

    private static func utf16(of run: ArraySlice<UInt8>) -> [UInt16]? {
        var bits: UInt32 = 0
        var count = 0
        var bytes: [UInt8] = []
        for char in run {
            guard let value = alphabet.firstIndex(of: char) else { return nil }
            bits = (bits << 6) | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                bytes.append(UInt8((bits >> UInt32(count)) & 0xFF))
            }
        }
        guard bytes.count % 2 == 0, !bytes.isEmpty else { return nil }
        return stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    }

    private static func base64(_ units: [UInt16]) -> String {
        let bytes = units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        var out: [UInt8] = []
        var bits: UInt32 = 0
        var count = 0
        for byte in bytes {
            bits = (bits << 8) | UInt32(byte)
            count += 8
            while count >= 6 {
                count -= 6
                out.append(alphabet[Int((bits >> UInt32(count)) & 0x3F)])
            }
        }
        if count > 0 { out.append(alphabet[Int((bits << UInt32(6 - count)) & 0x3F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
