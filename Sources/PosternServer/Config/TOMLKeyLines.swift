/// Finds the line of each key of a TOML document, for error messages (TOMLKit gives positions only
/// for syntax errors). The document has already parsed, so only the lines that start a key matter:
///
///     table-header = "[" key "]"  /  "[[" key "]]"
///     keyval       = key ws "=" ...
///     key          = simple-key *( ws "." ws simple-key )
///     simple-key   = bare-key / quoted-key    ; bare-key = 1*( ALPHA / DIGIT / "-" / "_" )
///
/// Lines inside a multi-line string are skipped; a key is recorded under its full dotted name (the
/// table header's name, then the key's), at its first line.
enum TOMLKeyLines {
    static func scan(_ text: String) -> [String: Int] {
        var lines: [String: Int] = [:]
        var table: [String] = []
        var openQuote: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Substring(raw.trimmingPrefix(while: { $0 == " " || $0 == "\t" }))
            if let quote = openQuote {
                if line.contains(quote) { openQuote = nil }
                continue
            }
            let number = index + 1
            if line.hasPrefix("[") {
                let inner = line.drop(while: { $0 == "[" })
                var rest = Substring(inner)
                if let names = parseKey(&rest) {
                    table = names
                    record(names, number, &lines)
                }
                continue
            }
            var rest = line
            guard let names = parseKey(&rest) else { continue }
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
            guard rest.first == "=" else { continue }
            record(table + names, number, &lines)
            for quote in ["\"\"\"", "'''"] {
                let value = rest.dropFirst()
                let occurrences = value.ranges(of: quote).count
                if occurrences % 2 == 1 { openQuote = quote }
            }
        }
        return lines
    }

    private static func record(_ names: [String], _ line: Int, _ lines: inout [String: Int]) {
        let name = names.joined(separator: ".")
        if lines[name] == nil { lines[name] = line }
    }

    /// Reads `key` from the start of `text`, leaving what follows it.
    static func parseKey(_ text: inout Substring) -> [String]? {
        var names: [String] = []
        while true {
            text = text.drop(while: { $0 == " " || $0 == "\t" })
            guard let first = text.first else { return nil }
            if first == "\"" || first == "'" {
                let body = text.dropFirst()
                guard let close = body.firstIndex(of: first) else { return nil }
                names.append(String(body[..<close]))
                text = body[body.index(after: close)...]
            } else {
                let bare = text.prefix(while: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
                guard !bare.isEmpty else { return nil }
                names.append(String(bare))
                text = text.dropFirst(bare.count)
            }
            text = text.drop(while: { $0 == " " || $0 == "\t" })
            guard text.first == "." else { return names }
            text = text.dropFirst()
        }
    }
}
