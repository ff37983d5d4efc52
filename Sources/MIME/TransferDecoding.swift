/// Content-Transfer-Encoding values (RFC 2045 §6.1), matched case-insensitively.
public enum TransferEncoding: Sendable, Hashable {
    case sevenBit, eightBit, binary, base64, quotedPrintable
    /// Anything else (RFC 2045 §6.4: such a body must be treated as application/octet-stream);
    /// FETCH BINARY answers it with the UNKNOWN-CTE response code (RFC 3516 §4.3).
    case unknown([UInt8])

    /// From an encoding name (a MIME token); nil (absent) means 7bit (RFC 2045 §6.1). Only the five names of
    /// RFC 2045 §6.1 are known: a misspelling such as "7-bit" is an unknown encoding, as Dovecot takes it.
    public init(_ raw: [UInt8]?) {
        guard let raw else {
            self = .sevenBit
            return
        }
        switch ASCII.lowercased(raw) {
        case "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .unknown(raw)
        }
    }

    /// From a Content-Transfer-Encoding field's unfolded value, for decoding (BINARY, SEARCH).
    ///
    ///     encoding := *CFWS mechanism *CFWS [";" *anything]     ; RFC 2045 §6.1, plus the ";" below
    ///
    /// Only a lone token names an encoding; anything after it but a ";" (some senders add parameters, which
    /// RFC 2045 does not allow, and Dovecot tolerates) makes the value unknown: "quoted printable" or
    /// "base64 binary" are not guessed at, and an empty value is unknown too.
    public init(fieldValue: [UInt8]) {
        let words = HeaderTokenizer.tokenize(fieldValue, mode: .mime).filter { $0.kind != .comment }
        guard let first = words.first, first.kind == .atom,
            words.count == 1 || words[1].isSpecial(UInt8(ascii: ";"))
        else {
            self = .unknown(fieldValue)
            return
        }
        self.init(first.bytes)
    }

    /// 7bit, 8bit and binary leave the body as it is.
    public var isIdentity: Bool {
        switch self {
        case .sevenBit, .eightBit, .binary: return true
        default: return false
        }
    }
}

/// Undoes transfer encodings. Both decoders accept anything: garbage is skipped or kept, never fatal.
public enum TransferDecoding {
    /// The decoded body, or nil for an unknown encoding (the caller answers UNKNOWN-CTE for BINARY).
    public static func decode(_ body: UnsafeBufferPointer<UInt8>, _ encoding: TransferEncoding) -> [UInt8]? {
        switch encoding {
        case .sevenBit, .eightBit, .binary: return Array(body)
        case .base64: return base64(body)
        case .quotedPrintable: return quotedPrintable(body)
        case .unknown: return nil
        }
    }

    public static func decode(_ body: [UInt8], _ encoding: TransferEncoding) -> [UInt8]? {
        body.withUnsafeBufferPointer { decode($0, encoding) }
    }

    /// RFC 2045 §6.8. Characters outside the alphabet (line breaks, white space, garbage) are skipped,
    /// as the section asks; "=" ends a quantum (so concatenated encodings decode too).
    public static func base64(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var acc: UInt32 = 0
        var bits = 0
        for c in input {
            let v = base64Table[Int(c)]
            if v < 64 {
                acc = (acc << 6) | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                }
            } else if v == 65 {
                acc = 0
                bits = 0
            }
        }
        return out
    }

    public static func base64(_ input: [UInt8]) -> [UInt8] { input.withUnsafeBufferPointer { base64($0) } }

    /// 64 = skip, 65 = "=" (end of quantum), else the 6-bit value.
    static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 64, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        t[Int(UInt8(ascii: "="))] = 65
        return t
    }()

    /// RFC 2045 §6.7: `=XX` (either case) is an octet, `=` at the end of a line (after trailing white
    /// space, rule 3) is a soft line break, any other `=` is kept as it is. Trailing white space on a
    /// line is dropped; line breaks are kept as they were written (CRLF or LF).
    public static func quotedPrintable(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        let n = input.count
        var s = 0
        while s < n {
            var lineEnd = s
            while lineEnd < n, input[lineEnd] != ASCII.lf { lineEnd += 1 }
            let hasLF = lineEnd < n
            let hadCR = lineEnd > s && input[lineEnd - 1] == ASCII.cr && hasLF
            var contentEnd = hadCR ? lineEnd - 1 : lineEnd
            while contentEnd > s, ASCII.isWSP(input[contentEnd - 1]) { contentEnd -= 1 }
            var soft = false
            if contentEnd > s, input[contentEnd - 1] == UInt8(ascii: "=") {
                soft = true
                contentEnd -= 1
            }
            var i = s
            while i < contentEnd {
                let c = input[i]
                if c == UInt8(ascii: "="), i + 2 < contentEnd, let h = MIMEParameters.hexValue(input[i + 1]),
                    let l = MIMEParameters.hexValue(input[i + 2])
                {
                    out.append(h << 4 | l)
                    i += 3
                } else {
                    out.append(c)
                    i += 1
                }
            }
            if hasLF, !soft {
                if hadCR { out.append(ASCII.cr) }
                out.append(ASCII.lf)
            }
            s = hasLF ? lineEnd + 1 : n
        }
        return out
    }

    public static func quotedPrintable(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { quotedPrintable($0) }
    }
}
