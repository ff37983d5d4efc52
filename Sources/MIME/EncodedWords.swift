/// RFC 2047 encoded words in header text: `=?charset?B?...?=` and `=?charset?Q?...?=`.
///
/// White space between two encoded words is dropped (§6.2); consecutive encoded words in the same
/// charset are joined before charset decoding, so a character split across words survives. An
/// encoded word that does not parse is left as it is. Text outside encoded words is read as UTF-8
/// (RFC 6532), falling back to Windows-1252 for invalid 8-bit bytes. An RFC 2231 language suffix
/// (`charset*lang`, RFC 2231 §5) is ignored. A word in a charset ``Charset`` does not convert stays as
/// written (RFC 2047 §6.2).
public enum EncodedWords {
    public static func decode(_ raw: [UInt8]) -> String {
        guard raw.count >= 8, containsMarker(raw) else { return Charset.decode(raw, charset: "us-ascii") }
        var out = ""
        var pendingBytes: [UInt8] = []
        var pendingCharset = ""
        var plainStart = 0
        var i = 0
        var lastWasWord = false

        func flushPending() {
            if !pendingBytes.isEmpty { out += Charset.decode(pendingBytes, charset: pendingCharset) }
            pendingBytes.removeAll()
        }

        while i < raw.count {
            if raw[i] == UInt8(ascii: "="), i + 1 < raw.count, raw[i + 1] == UInt8(ascii: "?"),
                let word = parseWord(raw, at: i)
            {
                // RFC 2047 §6.2 (a): a word in a charset the decoder does not have is shown as written, so
                // SEARCH does not match a guess at its text (Dovecot matches none either).
                guard Charset.isSupported(word.charset) else {
                    i = word.end
                    lastWasWord = false
                    continue
                }
                let between = raw[plainStart..<i]
                let onlySpace = between.allSatisfy(ASCII.isSpace)
                if !(lastWasWord && onlySpace) {
                    flushPending()
                    out += Charset.decode(between, charset: "us-ascii")
                }
                if Charset.canonicalName(word.charset) != Charset.canonicalName(pendingCharset) { flushPending() }
                pendingCharset = word.charset
                pendingBytes += word.bytes
                i = word.end
                plainStart = i
                lastWasWord = true
                continue
            }
            i += 1
        }
        flushPending()
        out += Charset.decode(raw[plainStart...], charset: "us-ascii")
        return out
    }

    static func containsMarker(_ raw: [UInt8]) -> Bool {
        var i = 0
        while i + 1 < raw.count {
            if raw[i] == UInt8(ascii: "="), raw[i + 1] == UInt8(ascii: "?") { return true }
            i += 1
        }
        return false
    }

    struct Word {
        var charset: String
        var bytes: [UInt8]
        var end: Int
    }

    /// `"=?" charset "?" encoding "?" encoded-text "?="` (RFC 2047 §2) starting at `start`.
    static func parseWord(_ r: [UInt8], at start: Int) -> Word? {
        var i = start + 2
        let charsetStart = i
        while i < r.count, r[i] != UInt8(ascii: "?") {
            if ASCII.isSpace(r[i]) || i - charsetStart > 64 { return nil }
            i += 1
        }
        guard i > charsetStart, i + 3 < r.count, r[i + 2] == UInt8(ascii: "?") else { return nil }
        let charset = String(decoding: r[charsetStart..<i], as: UTF8.self)
        let encoding = r[i + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        let textStart = i + 3
        var j = textStart
        while j + 1 < r.count, !(r[j] == UInt8(ascii: "?") && r[j + 1] == UInt8(ascii: "=")) {
            if ASCII.isSpace(r[j]) { return nil }
            j += 1
        }
        guard j + 1 < r.count else { return nil }
        let text = r[textStart..<j]
        var bytes: [UInt8]
        if encoding == UInt8(ascii: "b") {
            bytes = TransferDecoding.base64(Array(text))
        } else {
            bytes = []
            bytes.reserveCapacity(text.count)
            var k = text.startIndex
            while k < text.endIndex {
                let c = text[k]
                if c == UInt8(ascii: "_") {
                    bytes.append(ASCII.sp)
                } else if c == UInt8(ascii: "="), k + 2 < text.endIndex,
                    let h = MIMEParameters.hexValue(text[k + 1]), let l = MIMEParameters.hexValue(text[k + 2])
                {
                    bytes.append(h << 4 | l)
                    k += 2
                } else {
                    bytes.append(c)
                }
                k += 1
            }
        }
        return Word(charset: charset, bytes: bytes, end: j + 2)
    }
}
