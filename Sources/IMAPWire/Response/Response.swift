import NIOCore

/// resp-cond-state / resp-cond-bye / resp-cond-auth status words.
public enum ResponseStatus: String, Sendable, Hashable, CaseIterable {
    case ok = "OK"
    case no = "NO"
    case bad = "BAD"
    case preauth = "PREAUTH"
    case bye = "BYE"
}

enum ResponseText {
    /// text = 1*TEXT-CHAR: CR, LF and NUL become spaces; inside a code, "]" too.
    static func sanitized(_ text: String, forCode: Bool = false) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s in
                    (s == "\r" || s == "\n" || s == "\0" || (forCode && s == "]")) ? " " : s
                }))
    }
}
