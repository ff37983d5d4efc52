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

// MARK: - Encoding

extension ByteBuffer {
    /// resp-text = ["[" resp-text-code "]" SP] text   (an empty text is written as the status word)
    @discardableResult
    mutating func writeResponseText(status: ResponseStatus, code: ResponseCode?, text: String) -> Int {
        var n = 0
        if let code {
            n += writeString("[") + writeResponseCode(code) + writeString("] ")
        }
        let t = ResponseText.sanitized(text)
        return n + writeString(t.isEmpty ? status.rawValue : t)
    }

    /// response-tagged = tag SP resp-cond-state CRLF
    @discardableResult
    public mutating func writeTaggedResponse(
        tag: String, status: ResponseStatus, code: ResponseCode? = nil, text: String
    ) -> Int {
        writeString("\(tag) \(status.rawValue) ") + writeResponseText(status: status, code: code, text: text)
            + writeString("\r\n")
    }

    /// "*" SP (resp-cond-state / resp-cond-bye / resp-cond-auth) CRLF
    @discardableResult
    public mutating func writeUntaggedStatus(_ status: ResponseStatus, code: ResponseCode? = nil, text: String) -> Int {
        writeString("* \(status.rawValue) ") + writeResponseText(status: status, code: code, text: text)
            + writeString("\r\n")
    }

    /// continue-req = "+" SP (resp-text / base64) CRLF
    @discardableResult
    public mutating func writeContinuation(_ text: String = "Ready") -> Int {
        writeString("+ " + ResponseText.sanitized(text) + "\r\n")
    }
}
