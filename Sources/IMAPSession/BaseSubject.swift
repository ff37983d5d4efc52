/// The base subject of RFC 5256 §2.1, which SORT SUBJECT and both THREAD algorithms compare.
///
/// Works on UTF-8 bytes: every marker it removes is ASCII, matched without regard to case.
///
///     subj-refwd      = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
///     subj-blob       = "[" *BLOBCHAR "]" *WSP
///     subj-fwd        = subj-fwd-hdr subject subj-fwd-trl
///     subj-fwd-hdr    = "[fwd:"
///     subj-fwd-trl    = "]"
///     subj-leader     = (*subj-blob subj-refwd) / WSP
///     subj-trailer    = "(fwd)" / WSP
///     BLOBCHAR        = %x01-5a / %x5c / %x5e-ff
enum BaseSubject {
    /// The base subject of a decoded subject (step 1's decoding of encoded words done by the caller),
    /// and whether it was a reply or forward: whether step 2, 3 or 6 removed something (RFC 5256 §2.1's
    /// definition, used by THREAD=REFERENCES step 5).
    static func extract(_ decoded: String) -> (subject: String, isReplyOrForward: Bool) {
        // (1) Tabs and line breaks become spaces; runs of spaces become one.
        var s: [UInt8] = []
        s.reserveCapacity(decoded.utf8.count)
        for b in decoded.utf8 {
            let c = (b == 0x09 || b == 0x0A || b == 0x0D) ? 0x20 : b
            if c == 0x20 && s.last == 0x20 { continue }
            s.append(c)
        }
        var start = 0
        var end = s.count
        var replyOrForward = false
        while true {
            // (2) Trailing "(fwd)" and spaces.
            while end > start {
                if s[end - 1] == 0x20 {
                    end -= 1
                } else if end - start >= 5, matches(s, end - 5, "(fwd)") {
                    end -= 5
                    replyOrForward = true
                } else {
                    break
                }
            }
            // (3), (4), (5): leaders, then a blob if something remains after it, until neither applies.
            while start < end {
                if s[start] == 0x20 {
                    start += 1
                } else if let next = leader(s, start, end) {
                    start = next
                    replyOrForward = true
                } else if let next = blob(s, start, end), next < end {
                    start = next
                } else {
                    break
                }
            }
            // (6) "[fwd:" ... "]" around the whole: remove and start again at (2).
            if end - start >= 6, matches(s, start, "[fwd:"), s[end - 1] == UInt8(ascii: "]") {
                start += 5
                end -= 1
                replyOrForward = true
                continue
            }
            break
        }
        return (String(decoding: s[start..<end], as: UTF8.self), replyOrForward)
    }

    /// Whether `s` has `ascii` (lowercase) at `at`, ignoring ASCII case.
    private static func matches(_ s: [UInt8], _ at: Int, _ ascii: String) -> Bool {
        var i = at
        for c in ascii.utf8 {
            guard i < s.count else { return false }
            var b = s[i]
            if b >= 0x41 && b <= 0x5A { b += 0x20 }
            guard b == c else { return false }
            i += 1
        }
        return true
    }

    /// subj-blob at `i`: where it ends, or nil.
    private static func blob(_ s: [UInt8], _ i: Int, _ end: Int) -> Int? {
        guard i < end, s[i] == UInt8(ascii: "[") else { return nil }
        var j = i + 1
        while j < end, s[j] != UInt8(ascii: "]") {
            guard s[j] != UInt8(ascii: "["), s[j] != 0 else { return nil }
            j += 1
        }
        guard j < end else { return nil }
        j += 1
        while j < end, s[j] == 0x20 { j += 1 }
        return j
    }

    /// *subj-blob subj-refwd at `i`: where it ends, or nil.
    private static func leader(_ s: [UInt8], _ i: Int, _ end: Int) -> Int? {
        var j = i
        while let next = blob(s, j, end) { j = next }
        if matches(s, j, "re") {
            j += 2
        } else if matches(s, j, "fwd") {
            j += 3
        } else if matches(s, j, "fw") {
            j += 2
        } else {
            return nil
        }
        while j < end, s[j] == 0x20 { j += 1 }
        if let next = blob(s, j, end) { j = next }
        guard j < end, s[j] == UInt8(ascii: ":") else { return nil }
        return j + 1
    }
}
