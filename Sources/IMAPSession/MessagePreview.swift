import Foundation
import MIME

/// PREVIEW (RFC 8970 §3): the start of a message's text for a list view, made from its first text part
/// that is not an attachment (text/plain before text/html), transfer encoding and charset undone, HTML
/// reduced to its text, whitespace collapsed to single spaces.
enum MessagePreview {
    /// Characters of preview text: RFC 8970 §3 allows at most 256; clients show about this many.
    static let maxLength = 200
    /// Bytes of a part's decoded text looked at: the preview needs only its start (HTML can be long
    /// before its first words, hence more than `maxLength`).
    static let maxScannedBytes = 64 * 1024

    /// The preview, or "" when the message has no text to show (RFC 8970 §3: an empty string, as
    /// opposed to NIL, says there is none).
    static func text(bytes: [UInt8], structure: ParsedMessage) -> String {
        guard let (found, html) = textPart(structure.root) else { return "" }
        var part = found
        // Only the start of a long part is decoded: enough encoded bytes for `maxScannedBytes` of text
        // (quoted-printable takes up to three per byte, base64 four per three).
        let encodedLimit = 3 * maxScannedBytes
        if part.body.count > encodedLimit {
            part.body = part.body.lowerBound..<(part.body.lowerBound + encodedLimit)
        }
        let mime = MIMEMessage(bytes: bytes, structure: structure)
        var decoded = mime.decodedText(of: part)
        if decoded.utf8.count > maxScannedBytes {
            decoded = String(decoding: decoded.utf8.prefix(maxScannedBytes), as: UTF8.self)
        }
        return collapsed(html ? Self.htmlText(decoded) : decoded)
    }

    /// The first text/plain part outside attachments and encapsulated messages, else the first
    /// text/html one; `html` says which.
    static func textPart(_ root: MessagePart) -> (MessagePart, html: Bool)? {
        var plain: MessagePart?
        var html: MessagePart?
        func visit(_ part: MessagePart) {
            if plain != nil { return }
            if part.isMultipart {
                for child in part.parts { visit(child) }
                return
            }
            guard part.isText, !isAttachment(part) else { return }
            let subtype = part.subtype.lowercased()
            if subtype == "plain" {
                plain = part
            } else if html == nil && subtype == "html" {
                html = part
            }
        }
        visit(root)
        if let plain { return (plain, false) }
        return html.map { ($0, true) }
    }

    private static func isAttachment(_ part: MessagePart) -> Bool {
        guard let disposition = part.disposition else { return false }
        return String(decoding: disposition.type, as: UTF8.self).lowercased() == "attachment"
    }

    /// Whitespace and control characters collapsed to single spaces, trimmed, cut at `maxLength`
    /// characters.
    static func collapsed(_ text: String) -> String {
        var out = ""
        var count = 0
        var pendingSpace = false
        for character in text {
            if character.isWhitespace
                || character.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control })
            {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                if count + 1 >= maxLength { break }
                out.append(" ")
                count += 1
                pendingSpace = false
            }
            out.append(character)
            count += 1
            if count >= maxLength { break }
        }
        return out
    }

    /// The text of an HTML document: the content of SCRIPT and STYLE elements, comments and tags
    /// removed (block tags become spaces), character references decoded.
    static func htmlText(_ html: String) -> String {
        var out = ""
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            out += decodeEntities(rest[..<open])
            rest = rest[open...]
            if rest.hasPrefix("<!--") {
                rest = rest.range(of: "-->").map { rest[$0.upperBound...] } ?? ""
                continue
            }
            let name = tagName(rest)
            guard let close = rest.firstIndex(of: ">") else {
                rest = ""
                break
            }
            rest = rest[rest.index(after: close)...]
            if name == "script" || name == "style" {
                rest = rest.range(of: "</\(name)", options: .caseInsensitive).map { rest[$0.lowerBound...] } ?? ""
                if let end = rest.firstIndex(of: ">") { rest = rest[rest.index(after: end)...] }
            }
            out += " "
        }
        out += decodeEntities(rest)
        return out
    }

    private static func tagName(_ tag: Substring) -> String {
        String(tag.dropFirst().prefix { $0.isLetter || $0.isNumber }).lowercased()
    }

    private static let namedEntities: [Substring: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "\u{a9}",
        "reg": "\u{ae}", "hellip": "\u{2026}", "mdash": "\u{2014}", "ndash": "\u{2013}", "rsquo": "\u{2019}",
        "lsquo": "\u{2018}", "rdquo": "\u{201d}", "ldquo": "\u{201c}", "euro": "\u{20ac}",
    ]

    /// `&name;`, `&#n;` and `&#xh;`; anything else is kept as written.
    static func decodeEntities(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semicolon = after.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = after
                continue
            }
            let name = after[..<semicolon]
            if let value = entityValue(name) {
                out += value
                rest = after[after.index(after: semicolon)...]
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }

    private static func entityValue(_ name: Substring) -> String? {
        if let named = namedEntities[name] { return named }
        guard name.first == "#" else { return nil }
        let digits = name.dropFirst()
        let value =
            digits.first == "x" || digits.first == "X"
            ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
        return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}
