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

/// Shorthands for the status responses, written by `ResponseEncoder`.
extension ByteBuffer {
    /// response-tagged = tag SP resp-cond-state CRLF
    @discardableResult
    public mutating func writeTaggedResponse(
        tag: String, status: ResponseStatus, code: ResponseCode? = nil, text: String
    ) -> Int {
        let start = writerIndex
        ResponseEncoder().encode(.tagged(TaggedResponse(tag: tag, status: status, code: code, text: text)), into: &self)
        return writerIndex - start
    }

    /// "*" SP (resp-cond-state / resp-cond-bye / resp-cond-auth) CRLF
    @discardableResult
    public mutating func writeUntaggedStatus(_ status: ResponseStatus, code: ResponseCode? = nil, text: String) -> Int {
        let start = writerIndex
        ResponseEncoder().encode(.condition(status, code: code, text: text), into: &self)
        return writerIndex - start
    }

    /// continue-req = "+" SP (resp-text / base64) CRLF
    @discardableResult
    public mutating func writeContinuation(_ text: String = "Ready") -> Int {
        let start = writerIndex
        ResponseEncoder().encode(.continuation(.text(text)), into: &self)
        return writerIndex - start
    }
}
