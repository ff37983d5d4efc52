import Foundation
import MailStore

/// Maildir's flag letters (the "info" after ":2," in a file name, cr.yp.to/proto/maildir.html) and
/// Dovecot's keyword letters.
///
///     filename = unique [ ":2," *flag ]     ; flags in ASCII order
///     flag     = "D" / "F" / "P" / "R" / "S" / "T" / %x61-7A   ; a-z: keyword by dovecot-keywords
///
/// D \Draft, F \Flagged, R \Answered, S \Seen, T \Deleted (trashed). P (passed: resent, forwarded or
/// bounced) has no IMAP system flag: it becomes the keyword `$Forwarded` (RFC 5550 §5.9's meaning).
/// `$Forwarded` is written back as a keyword letter like any keyword, as Dovecot writes it (Dovecot
/// reads no IMAP flag from P). Other letters are ignored.
public enum MaildirFlags {
    static let systemLetters: [(Character, SystemFlags)] = [
        ("D", .draft), ("F", .flagged), ("R", .answered), ("S", .seen), ("T", .deleted),
    ]
    public static let passedKeyword = "$Forwarded"

    /// Splits a file name into its unique part and its info (nil without ":2,"). Dovecot on some file
    /// systems writes ";2," instead; both are read.
    public static func split(_ filename: String) -> (unique: String, info: String?) {
        for marker in [":2,", ";2,"] {
            if let range = filename.range(of: marker, options: .backwards) {
                return (String(filename[..<range.lowerBound]), String(filename[range.upperBound...]))
            }
        }
        return (filename, nil)
    }

    /// The flags of an info string; lowercase letters are looked up in `keywords` (from the folder's
    /// dovecot-keywords), letters without a keyword are ignored.
    public static func parse(_ info: String, keywords: [Character: String]) -> MessageFlags {
        var flags = MessageFlags()
        for letter in info {
            if let system = systemLetters.first(where: { $0.0 == letter }) {
                flags.system.insert(system.1)
            } else if letter == "P" {
                flags.keywords.insert(passedKeyword)
            } else if let keyword = keywords[letter] {
                flags.keywords.insert(keyword)
            }
        }
        return flags
    }

    /// The info string for `flags` (ASCII order), with keyword letters from `keywords` (keyword →
    /// letter). Keywords without a letter are returned apart (a folder has at most 26 letters).
    public static func format(
        _ flags: MessageFlags, keywords: [String: Character]
    ) -> (info: String, unwritten: [String]) {
        var letters: [Character] = systemLetters.filter { flags.system.contains($0.1) }.map(\.0)
        var unwritten: [String] = []
        for keyword in flags.keywords {
            if let letter = keywords[keyword] {
                letters.append(letter)
            } else {
                unwritten.append(keyword)
            }
        }
        return (String(Set(letters).sorted()), unwritten.sorted())
    }
}

/// Dovecot's `dovecot-keywords` file, one per Maildir folder: the keyword of each letter a–z.
///
///     file = *( index SP keyword LF )     ; index 0 is "a", 25 is "z"
public enum DovecotKeywords {
    public static let maxLetters = 26

    /// The letters of the file's text. Lines that do not fit the format are ignored.
    public static func parse(_ text: String) -> [Character: String] {
        var result: [Character: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let space = line.firstIndex(of: " "), let index = Int(line[..<space]),
                (0..<maxLetters).contains(index)
            else { continue }
            let keyword = String(line[line.index(after: space)...])
            guard !keyword.isEmpty, !keyword.contains(" ") else { continue }
            result[Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(index)))] = keyword
        }
        return result
    }

    /// Reads the file in `folder`; none (or unreadable) is no keywords.
    public static func read(in folder: URL) -> [Character: String] {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("dovecot-keywords").path)
        else { return [:] }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// The file's text for `keywords` in this order (the first 26 get letters).
    public static func format(_ keywords: [String]) -> String {
        keywords.prefix(maxLetters).enumerated().map { "\($0.offset) \($0.element)\n" }.joined()
    }

    /// Letters for the keywords in this order (the first 26).
    public static func letters(_ keywords: [String]) -> [String: Character] {
        var result: [String: Character] = [:]
        for (index, keyword) in keywords.prefix(maxLetters).enumerated() {
            result[keyword] = Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(index)))
        }
        return result
    }
}
