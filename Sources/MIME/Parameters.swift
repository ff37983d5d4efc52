/// A MIME parameter (RFC 2045 §5.1) in the form BODYSTRUCTURE shows it: the name as written and the
/// value with quotes removed. RFC 2231 continuations (`name*0*`, `name*1`, ...) are merged into one
/// parameter named `name*` (when any section is extended) or `name`, whose value is the sections'
/// values concatenated in order — `charset'language'percent-encoded` stays as it is, as Dovecot shows it.
/// ``MIMEParameters/decodedValue(of:)`` gives the decoded text.
public struct MIMEParameter: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// Lookup and decoding over a parameter list.
public enum MIMEParameters {
    /// The raw value of `name` (ASCII case-insensitive), also found as the merged RFC 2231 `name*`.
    public static func rawValue(of name: String, in params: [MIMEParameter]) -> [UInt8]? {
        let lower = name.lowercased()
        for p in params where p.name.lowercased() == lower || p.name.lowercased() == lower + "*" {
            return p.value
        }
        return nil
    }

    /// The value of `name` decoded: RFC 2231 §4 `charset'language'%XX` for an extended parameter; an
    /// ordinary value may hold RFC 2047 encoded words (not allowed, but common for file names).
    public static func decodedValue(of name: String, in params: [MIMEParameter]) -> String? {
        let lower = name.lowercased()
        guard
            let p = params.first(where: { $0.name.lowercased() == lower + "*" })
                ?? params.first(where: { $0.name.lowercased() == lower })
        else { return nil }
        if p.name.hasSuffix("*") { return decodeExtended(p.value) }
        return EncodedWords.decode(p.value)
    }

    /// RFC 2231 §4: `charset "'" [language] "'" value-chars` with `%XX` escapes. Without the two
    /// quotes the value is taken as UTF-8.
    public static func decodeExtended(_ v: [UInt8]) -> String {
        var charset = "us-ascii"
        var start = 0
        if let q1 = v.firstIndex(of: UInt8(ascii: "'")),
            let q2 = v[(q1 + 1)...].firstIndex(of: UInt8(ascii: "'"))
        {
            charset = String(decoding: v[..<q1], as: UTF8.self)
            start = q2 + 1
        } else {
            charset = "utf-8"
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(v.count - start)
        var i = start
        while i < v.count {
            if v[i] == UInt8(ascii: "%"), i + 2 < v.count, let h = hexValue(v[i + 1]), let l = hexValue(v[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(v[i])
                i += 1
            }
        }
        return Charset.decode(bytes, charset: charset)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    /// Parses parameters from MIME tokens (comments already possible anywhere):
    ///
    ///     parameters := *(";" attribute "=" value)            ; RFC 2045 §5.1
    ///     value      := token / quoted-string
    ///
    /// Broken lists are read as Dovecot reads them (RFC 2045 says nothing of recovery, and clients are tuned to
    /// Dovecot): where a parameter does not parse (no "=", an empty ";;", words after an unquoted value, as in
    /// `name=my file.pdf`) reading goes on at the next ";" after the error, and when the error is a ";" (the "=" is
    /// missing before it) that ";" is passed over too, so `; charset; format=flowed` loses both. An unquoted value is
    /// the run of tokens written without white space (so `boundary=----=_Part_1` keeps its "=", which Dovecot cuts
    /// at); `name==?utf-8?...?=` keeps its encoded word.
    static func parse(_ all: ArraySlice<HeaderToken>) -> [MIMEParameter] {
        let t = all.filter { $0.kind != .comment }
        var raw: [MIMEParameter] = []
        var i = 0
        while i < t.count {
            // Skip to the next ";" (at the start: whatever came between the subtype and the first ";").
            guard t[i].isSpecial(UInt8(ascii: ";")) else {
                i += 1
                continue
            }
            i += 1
            guard i < t.count else { break }
            var name: [UInt8] = []
            if t[i].kind == .atom {
                name = t[i].bytes
                i += 1
                guard i < t.count else { break }
            }
            guard t[i].isSpecial(UInt8(ascii: "=")) else {
                if t[i].isSpecial(UInt8(ascii: ";")) { i += 1 }
                continue
            }
            i += 1
            var value: [UInt8] = []
            if i < t.count, t[i].kind == .quoted {
                value = t[i].bytes
                i += 1
            } else if i < t.count, !t[i].isSpecial(UInt8(ascii: ";")) {
                value = t[i].bytes
                i += 1
                while i < t.count, !t[i].spaceBefore, !t[i].isSpecial(UInt8(ascii: ";")), t[i].kind != .quoted {
                    value += t[i].bytes
                    i += 1
                }
            }
            raw.append(MIMEParameter(name: String(decoding: name, as: UTF8.self), value: value))
        }
        return mergeContinuations(raw)
    }

    /// RFC 2231 §3 and §4.1: joins `name*0`, `name*1*`, ... into one parameter, in section order.
    static func mergeContinuations(_ raw: [MIMEParameter]) -> [MIMEParameter] {
        guard raw.contains(where: { $0.name.contains("*") }) else { return raw }
        struct Section {
            var number: Int
            var extended: Bool
            var value: [UInt8]
        }
        var order: [String] = []
        var names: [String: String] = [:]
        var sections: [String: [Section]] = [:]
        var plain: [String: MIMEParameter] = [:]
        for p in raw {
            let utf8 = Array(p.name.utf8)
            var base = p.name
            var section: Section? = nil
            if let star = utf8.firstIndex(of: UInt8(ascii: "*")) {
                let rest = utf8[(star + 1)...]
                if rest.isEmpty {
                    section = Section(number: 0, extended: true, value: p.value)
                } else {
                    let extended = rest.last == UInt8(ascii: "*")
                    let digits = extended ? rest.dropLast() : rest
                    if !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                        section = Section(
                            number: Int(String(decoding: digits, as: UTF8.self)) ?? 0, extended: extended,
                            value: p.value)
                    }
                }
                if section != nil { base = String(decoding: utf8[..<star], as: UTF8.self) }
            }
            let key = base.lowercased()
            if names[key] == nil {
                order.append(key)
                names[key] = base
            }
            if let section {
                if sections[key, default: []].count < MIMELimits.maxParameterSections {
                    sections[key, default: []].append(section)
                }
            } else if plain[key] == nil {
                plain[key] = p
            }
        }
        // A plain value given beside extended sections (RFC 2231 §4 lets a sender give both, for old readers)
        // is kept before them, as Dovecot lists both; ``decodedValue(of:in:)`` prefers the extended one. Beside
        // plain sections, which would give the same name twice, the sections win.
        var out: [MIMEParameter] = []
        for key in order {
            guard let list = sections[key] else {
                if let p = plain[key] { out.append(p) }
                continue
            }
            let sorted = list.sorted { $0.number < $1.number }
            let extended = sorted.contains(where: \.extended)
            if extended, let p = plain[key] { out.append(p) }
            out.append(
                MIMEParameter(name: (names[key] ?? key) + (extended ? "*" : ""), value: sorted.flatMap(\.value)))
        }
        return out
    }
}
