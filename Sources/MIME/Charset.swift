import Foundation

/// Charset decoding (RFC 2046 §4.1.2 charset parameter; names from the IANA registry).
///
/// - UTF-8 and US-ASCII: the standard library (invalid bytes become U+FFFD; 8-bit bytes in "US-ASCII"
///   text are read as UTF-8 when valid, else as Windows-1252, since mislabelled mail is common).
/// - ISO-8859-1: identity; ISO-8859-2..16, Windows-874/1250..1258, KOI8-R, KOI8-U, IBM866: tables
///   generated from Python's codecs (``SingleByteTables``).
/// - Shift_JIS, ISO-2022-JP, GB2312/GBK/GB18030, Big5, EUC-KR, UTF-16: Foundation's converters (ICU on
///   Linux; each one is covered by a test). EUC-JP, which Foundation on Linux lacks, is recoded to
///   Shift_JIS (both encode JIS X 0208; JIS X 0212 characters become U+3013 GETA MARK).
/// - UTF-7 (RFC 2152): ``UTF7``.
/// - When a converter rejects the bytes, each line is converted on its own and a rejected line keeps
///   its ASCII bytes and gets U+FFFD for the others. Unknown charsets are read as UTF-8.
public enum Charset {
    /// The text of `bytes` in `charset` (any spelling of a known name; case-insensitive).
    public static func decode(_ bytes: some Collection<UInt8>, charset: String) -> String {
        let name = canonicalName(charset)
        if !asciiMayEncode(name) && isASCII(Array(bytes)) {
            return String(decoding: bytes, as: UTF8.self)
        }
        switch name {
        case "utf-8": return String(decoding: bytes, as: UTF8.self)
        case "us-ascii":
            let array = Array(bytes)
            if let s = String(validating: array, as: UTF8.self) { return s }
            return singleByte(array, SingleByteTables.tables["windows-1252"]!)
        case "iso-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case "euc-jp": return foundation(eucJPToShiftJIS(Array(bytes)), .shiftJIS)
        case "utf-7": return UTF7.decode(bytes)
        case "iso-2022-jp": return foundation(droppingRedundantShifts(Array(bytes)), .iso2022JP)
        default:
            if let table = SingleByteTables.tables[name] { return singleByte(bytes, table) }
            if let enc = foundationEncodings[name] { return foundation(Array(bytes), enc) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Whether ASCII bytes in this (canonical) charset can stand for other characters, so that ASCII text
    /// must still be decoded: UTF-16, ISO-2022-JP (escape sequences) and UTF-7 (RFC 2152 shift sequences).
    public static func asciiMayEncode(_ canonical: String) -> Bool {
        canonical == "utf-16" || canonical == "iso-2022-jp" || canonical == "utf-7"
    }

    /// ISO-2022-JP text with each shift to ASCII that is directly followed by another escape sequence
    /// left out: adjacent encoded words (RFC 2047 §6.2) each end in ESC ( B, and Foundation's converter
    /// rejects the joined text when another shift follows at once.
    static func droppingRedundantShifts(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x1B, i + 3 < bytes.count, bytes[i + 1] == 0x28, bytes[i + 2] == 0x42, bytes[i + 3] == 0x1B {
                i += 3
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// Whether every byte is below 0x80 (eight at a time).
    public static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { isASCII($0) }
    }

    /// Whether every byte is below 0x80 (eight at a time).
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var i = 0
        while i + 8 <= raw.count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < raw.count {
            if raw[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// ISO-8859-1 to UTF-8 (each byte is the code point of the same value).
    static func latin1ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for b in bytes {
            if b < 0x80 {
                out.append(b)
            } else {
                out.append(0xC0 | (b >> 6))
                out.append(0x80 | (b & 0x3F))
            }
        }
        return out
    }

    /// Whether `charset` is one this type converts (rather than falling back to UTF-8).
    public static func isSupported(_ charset: String) -> Bool {
        let name = canonicalName(charset)
        return ["utf-8", "us-ascii", "iso-8859-1", "euc-jp", "utf-7"].contains(name)
            || SingleByteTables.tables[name] != nil
            || foundationEncodings[name] != nil
    }

    static let foundationEncodings: [String: String.Encoding] = [
        "shift_jis": .shiftJIS,
        "iso-2022-jp": .iso2022JP,
        "gb18030": String.Encoding(rawValue: 0x8000_0632),
        "big5": String.Encoding(rawValue: 0x8000_0A03),
        "big5-hkscs": String.Encoding(rawValue: 0x8000_0A06),
        "euc-kr": String.Encoding(rawValue: 0x8000_0940),
        "utf-16": .utf16,
    ]

    /// One spelling per charset: lower case, common aliases folded.
    static func canonicalName(_ raw: String) -> String {
        // The names every message uses, as they are usually spelled: no work (this runs for each
        // encoded word and text part that SEARCH decodes).
        switch raw {
        case "utf-8", "UTF-8", "us-ascii", "US-ASCII", "iso-8859-1", "ISO-8859-1": return raw.lowercased()
        default: break
        }
        // Byte-wise: ASCII lowercase, surrounding blanks and quotes trimmed, an RFC 2231 §5 language
        // suffix ("*en") cut; `squeezed` also drops "-" and "_".
        var bytes = Array(raw.utf8)
        for i in bytes.indices where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] += 32 }
        let trimmed: Set<UInt8> = [32, 9, 34, 39]
        while let last = bytes.last, trimmed.contains(last) { bytes.removeLast() }
        let start = bytes.firstIndex { !trimmed.contains($0) } ?? bytes.endIndex
        var name = Array(bytes[start...])
        if let star = name.firstIndex(of: 42) { name.removeSubrange(star...) }
        let s = String(decoding: name, as: UTF8.self)
        let squeezed = String(decoding: name.filter { $0 != 45 && $0 != 95 }, as: UTF8.self)
        switch squeezed {
        case "utf8", "unicode11utf8": return "utf-8"
        case "utf7", "unicode11utf7", "csunicode11utf7": return "utf-7"
        case "usascii", "ascii", "ansix3.41968", "iso646us", "us", "cp367", "": return "us-ascii"
        case "latin1", "l1", "iso88591", "cp819", "iso885911987", "ibm819": return "iso-8859-1"
        case "latin2", "l2": return "iso-8859-2"
        case "latin9", "l9", "latin0": return "iso-8859-15"
        case "cyrillic": return "iso-8859-5"
        case "greek": return "iso-8859-7"
        case "hebrew": return "iso-8859-8"
        case "arabic": return "iso-8859-6"
        case "thai", "tis620", "cp874", "windows874": return "windows-874"
        case "koi8r", "cskoi8r", "koi8": return "koi8-r"
        case "koi8u": return "koi8-u"
        case "ibm866", "cp866", "866": return "ibm866"
        case "shiftjis", "sjis", "xsjis", "mskanji", "windows31j", "cp932", "csshiftjis": return "shift_jis"
        case "iso2022jp", "csiso2022jp": return "iso-2022-jp"
        case "eucjp", "xeucjp", "cseucpkdfmtjapanese": return "euc-jp"
        case "gb2312", "euccn", "xeuccn", "gbk", "cp936", "windows936", "gb18030", "csgb2312", "chinese", "xgbk":
            return "gb18030"
        case "big5", "cnbig5", "xxbig5", "csbig5", "cp950": return "big5"
        case "big5hkscs": return "big5-hkscs"
        case "euckr", "kscs56011987", "ksc56011987", "cp949", "uhc", "windows949", "cseuckr": return "euc-kr"
        case "utf16": return "utf-16"
        default: break
        }
        if squeezed.hasPrefix("iso8859"), let n = Int(squeezed.dropFirst(7).prefix(while: \.isNumber)) {
            return "iso-8859-\(n)"
        }
        if squeezed.hasPrefix("windows"), let n = Int(squeezed.dropFirst(7)) { return "windows-\(n)" }
        if squeezed.hasPrefix("cp125"), let n = Int(squeezed.dropFirst(2)) { return "windows-\(n)" }
        if squeezed.hasPrefix("xcp125"), let n = Int(squeezed.dropFirst(3)) { return "windows-\(n)" }
        return s
    }

    static func singleByte(_ bytes: some Collection<UInt8>, _ table: [UInt16]) -> String {
        var scalars = String.UnicodeScalarView()
        for b in bytes {
            let v = b < 0x80 ? UInt32(b) : UInt32(table[Int(b) - 0x80])
            scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    /// Foundation's converter; when it rejects the whole text, line by line (see the type's comment).
    static func foundation(_ bytes: [UInt8], _ encoding: String.Encoding) -> String {
        if let s = String(bytes: bytes, encoding: encoding) { return s }
        var out = ""
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != ASCII.lf { end += 1 }
            if end < bytes.count { end += 1 }
            let line = Array(bytes[start..<end])
            if let s = String(bytes: line, encoding: encoding) {
                out += s
            } else {
                out.unicodeScalars.append(contentsOf: line.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" })
            }
            start = end
        }
        return out
    }

    /// EUC-JP (JIS X 0208 in two GR bytes, 0x8E + half-width katakana, 0x8F + JIS X 0212) to Shift_JIS.
    static func eucJPToShiftJIS(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        let geta: [UInt8] = [0x81, 0xAC]
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                out.append(c)
                i += 1
            } else if c == 0x8E, i + 1 < b.count, (0xA1...0xDF).contains(b[i + 1]) {
                out.append(b[i + 1])
                i += 2
            } else if c == 0x8F {
                out += geta
                i += 3
            } else if (0xA1...0xFE).contains(c), i + 1 < b.count, (0xA1...0xFE).contains(b[i + 1]) {
                let j1 = Int(c & 0x7F)
                let j2 = Int(b[i + 1] & 0x7F)
                var s1 = ((j1 - 0x21) >> 1) + 0x81
                if s1 > 0x9F { s1 += 0x40 }
                var s2: Int
                if j1 & 1 == 1 {
                    s2 = j2 + 0x1F
                    if s2 >= 0x7F { s2 += 1 }
                } else {
                    s2 = j2 + 0x7E
                }
                out.append(UInt8(truncatingIfNeeded: s1))
                out.append(UInt8(truncatingIfNeeded: s2))
                i += 2
            } else {
                out += geta
                i += 1
            }
        }
        return out
    }
}
