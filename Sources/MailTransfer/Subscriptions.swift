import Foundation
import IMAPWire
import MailStore

/// Subscription files of a Maildir root.
///
/// Dovecot's `subscriptions`, version 2 (what `format` writes):
///
///     file   = "V" HTAB "2" LF LF *( name LF )
///     name   = level *( HTAB level )          ; levels of the name, tab-separated
///
/// Dovecot's version 1 and Courier's `courierimapsubscribed`: one name per line, levels separated
/// by "." (Courier's start with "INBOX."). Levels in modified UTF-7 are decoded.
public enum Subscriptions {
    public static let fileName = "subscriptions"
    public static let courierFileName = "courierimapsubscribed"

    /// The subscribed names, relative to the import target ("" for INBOX itself), from whichever
    /// file exists (both are read when both do). Unreadable files count as none.
    public static func read(in root: URL) -> [String] {
        var names: [String] = []
        for file in [fileName, courierFileName] {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path) else {
                continue
            }
            names += parse(String(decoding: data, as: UTF8.self))
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    public static func parse(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let versioned = lines.first == "V\t2"
        if versioned { lines.removeFirst() }
        return lines.compactMap { line -> String? in
            guard !line.isEmpty else { return nil }
            var levels = line.split(separator: versioned ? "\t" : ".", omittingEmptySubsequences: false).map(
                String.init)
            // Courier (and Dovecot set up like it) names folders "INBOX.Sub": the prefix is a namespace.
            if !versioned && levels.count > 1 && levels[0].uppercased() == MailboxPath.inbox { levels.removeFirst() }
            if levels.count == 1 && levels[0].uppercased() == MailboxPath.inbox { return "" }
            let decoded = levels.map { (try? ModifiedUTF7.decode(Array($0.utf8), encodedASCII: true)) ?? $0 }
            return decoded.joined(separator: String(MailboxPath.separator))
        }
    }

    /// Dovecot's version 2 file for these Postern names.
    public static func format(_ names: [String]) -> String {
        "V\t2\n\n" + names.map { $0.split(separator: MailboxPath.separator).joined(separator: "\t") + "\n" }.joined()
    }
}
