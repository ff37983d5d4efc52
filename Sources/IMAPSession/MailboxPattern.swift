/// LIST/LSUB pattern matching (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the hierarchy
/// separator. INBOX is matched case-insensitively.
struct MailboxPattern {
    private let pattern: [Character]
    private let separator: Character = "/"

    init(reference: String, pattern: String) {
        // A pattern that starts with the separator is absolute; otherwise it continues the reference.
        var full = pattern
        if !reference.isEmpty && !pattern.hasPrefix("/") {
            full = reference.hasSuffix("/") || reference.isEmpty ? reference + pattern : reference + pattern
        }
        if full.count >= 5, full.prefix(5).uppercased() == "INBOX",
            full.count == 5 || full[full.index(full.startIndex, offsetBy: 5)] == "/"
        {
            full = "INBOX" + full.dropFirst(5)
        }
        self.pattern = Array(full)
    }

    func matches(_ name: String) -> Bool {
        Self.match(pattern[...], Array(name)[...], separator: separator)
    }

    /// Dynamic programming over (pattern position, name position): O(pattern × name), no recursion.
    /// `reachable[j]` says the pattern so far matches the first j characters of the name.
    private static func match(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>, separator: Character) -> Bool {
        let name = Array(s)
        var reachable = [Bool](repeating: false, count: name.count + 1)
        reachable[0] = true
        for c in p {
            var next = [Bool](repeating: false, count: name.count + 1)
            switch c {
            case "*":
                var any = false
                for j in 0...name.count {
                    any = any || reachable[j]
                    next[j] = any
                }
            case "%":
                var any = false
                for j in 0...name.count {
                    if j > 0 && name[j - 1] == separator { any = false }
                    any = any || reachable[j]
                    next[j] = any
                }
            default:
                for j in stride(from: name.count, to: 0, by: -1) where reachable[j - 1] && name[j - 1] == c {
                    next[j] = true
                }
            }
            reachable = next
            if !reachable.contains(true) { return false }
        }
        return reachable[name.count]
    }
}
