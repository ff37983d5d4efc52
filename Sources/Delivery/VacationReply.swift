import Foundation

/// The auto-reply a Sieve `vacation` action sends (RFC 5230 §5, RFC 3834): sent with the null reverse
/// path so that nothing answers it, `Auto-Submitted: auto-replied`, threaded to the original with
/// `In-Reply-To` and `References`.
public struct VacationReply: Sendable, Equatable {
    /// The `From` of the reply: the `:from` argument, else the address the original was delivered to.
    public var from: String
    /// Who is answered: the original's envelope sender.
    public var to: String
    /// The `:subject` argument; nil makes "Auto: " + the original subject (§5.6).
    public var subject: String?
    /// The original's subject, decoded.
    public var originalSubject: String?
    /// The original's `Message-ID` and `References` field values as they were.
    public var originalMessageID: String?
    public var originalReferences: String?
    /// The reason: plain text, or with `:mime` a MIME entity (its header fields and body).
    public var reason: String
    public var mime: Bool

    public init(
        from: String, to: String, subject: String?, originalSubject: String?, originalMessageID: String?,
        originalReferences: String?, reason: String, mime: Bool
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.originalSubject = originalSubject
        self.originalMessageID = originalMessageID
        self.originalReferences = originalReferences
        self.reason = reason
        self.mime = mime
    }

    /// The subject line (§5.6): the given one, or "Auto: " and the original's (without a leading
    /// "Auto: " of its own), or "Automated reply" when the original had none.
    public var subjectLine: String {
        if let subject { return subject }
        guard let original = originalSubject?.trimmingCharacters(in: .whitespaces), !original.isEmpty else {
            return "Automated reply"
        }
        return original.lowercased().hasPrefix("auto: ") ? original : "Auto: " + original
    }

    /// The whole reply, CRLF line ends.
    public func message(hostName: String, date: Date = Date()) -> [UInt8] {
        var header = "From: \(HeaderText.clean(from))\r\n"
        header += "To: <\(HeaderText.clean(to))>\r\n"
        header += HeaderText.field("Subject", subjectLine)
        header += "Date: \(TraceHeaders.format(date))\r\n"
        header += "Message-ID: <\(UUID().uuidString.lowercased())@\(HeaderText.clean(hostName))>\r\n"
        if let id = originalMessageID.map(HeaderText.clean), !id.isEmpty {
            header += "In-Reply-To: \(id)\r\n"
            let references = [originalReferences.map(HeaderText.clean) ?? "", id].filter { !$0.isEmpty }
            header += HeaderText.folded("References", references.joined(separator: " "))
        }
        header += "Auto-Submitted: auto-replied (vacation)\r\n"
        header += "Precedence: bulk\r\n"
        header += "MIME-Version: 1.0\r\n"
        if mime {
            // §5.8: the reason is a MIME entity; its header fields follow ours.
            return Array(header.utf8) + HeaderText.crlf(Array(reason.utf8))
        }
        let body = HeaderText.crlf(Array(reason.utf8))
        let eightBit = body.contains { $0 >= 0x80 }
        header += "Content-Type: text/plain; charset=utf-8\r\n"
        header += "Content-Transfer-Encoding: \(eightBit ? "8bit" : "7bit")\r\n\r\n"
        return Array(header.utf8) + body
    }
}

/// Header field text made safe to send.
enum HeaderText {
    /// No control characters: nothing from a script or a message can start a header of its own.
    static func clean(_ text: String) -> String { TraceHeaders.clean(text) }

    /// `Name: value` with the value as RFC 2047 encoded words (UTF-8, base64) when it is not plain
    /// ASCII, folded so that no line is longer than 78 characters where words allow.
    static func field(_ name: String, _ value: String) -> String {
        let value = clean(value)
        guard value.utf8.contains(where: { $0 >= 0x80 }) else { return folded(name, value) }
        // Each word holds at most 39 bytes of UTF-8 (52 base64 characters, 64 with the markers) and
        // never splits a character.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 {
                words.append("=?utf-8?b?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?b?\(Data(chunk).base64EncodedString())?=") }
        return "\(name): " + words.joined(separator: "\r\n ") + "\r\n"
    }

    /// `Name: value`, folded at spaces before 78 characters where possible (RFC 5322 §2.2.3).
    static func folded(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var line = "\(name):"
        for word in value.split(separator: " ", omittingEmptySubsequences: true) {
            if line.count + 1 + word.count > 78 && line.count > name.count + 1 {
                lines.append(line)
                line = ""
            }
            line += " " + word
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Every line end made CRLF, and the text ended with one.
    static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 2)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { out.append(UInt8(ascii: "\r")) }
            out.append(byte)
            previous = byte
        }
        if out.last != UInt8(ascii: "\n") { out += [UInt8(ascii: "\r"), UInt8(ascii: "\n")] }
        return out
    }
}
