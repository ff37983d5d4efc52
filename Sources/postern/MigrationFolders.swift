import IMAPClient
import IMAPWire
import MailStore

/// A folder of the source server and where its messages go.
struct RemoteFolder {
    /// The name as the server spells it on the wire (modified UTF-7).
    var wireName: [UInt8]
    /// The name decoded, as the user knows it.
    var name: String
    /// The Postern mailbox name: hierarchy levels joined with "/".
    var destination: String
    var specialUse: SpecialUse?
    var selectable: Bool
}

/// Names and roles of the source's folders mapped to Postern's (RFC 9051 §7.3.1, RFC 6154 §2).
enum FolderMapping {
    /// The Postern name of a source folder: the name decoded from modified UTF-7 (RFC 3501 §5.1.3),
    /// split at the source's hierarchy delimiter and joined with "/"; a "/" inside a level (possible
    /// when the source's delimiter is another character) becomes "_". INBOX in any case is INBOX.
    static func destinationName(decoded: String, delimiter: UInt8?) -> String {
        guard let delimiter, delimiter != UInt8(ascii: "/") else { return MailboxPath.normalize(decoded) }
        let levels = decoded.split(
            separator: Character(Unicode.Scalar(delimiter)), omittingEmptySubsequences: false)
        return MailboxPath.normalize(levels.map { $0.replacingOccurrences(of: "/", with: "_") }.joined(separator: "/"))
    }

    /// The name decoded from modified UTF-7, or taken as UTF-8 when it is not valid modified UTF-7.
    static func decodedName(_ wire: [UInt8]) -> String {
        (try? ModifiedUTF7.decode(wire)) ?? String(decoding: wire, as: UTF8.self)
    }

    /// The role a LIST attribute gives a folder.
    static func specialUse(_ attributes: [String]) -> SpecialUse? {
        for attribute in attributes {
            if let use = SpecialUse.allCases.first(where: {
                $0.rawValue.caseInsensitiveCompare(attribute) == .orderedSame
            }) {
                return use
            }
        }
        return nil
    }

    /// A listed folder. The personal namespace's prefix (RFC 2342), e.g. Courier's and Cyrus's
    /// "INBOX.", is left out of the Postern name: "INBOX.Sent" becomes "Sent"; INBOX stays INBOX.
    static func folder(_ entry: ListEntry, personalPrefix: [UInt8] = []) -> RemoteFolder {
        let name = decodedName(entry.name)
        var local = entry.name
        if !personalPrefix.isEmpty, local.count > personalPrefix.count, local.starts(with: personalPrefix) {
            local.removeFirst(personalPrefix.count)
        }
        return RemoteFolder(
            wireName: entry.name, name: name,
            destination: destinationName(decoded: decodedName(local), delimiter: entry.delimiter),
            specialUse: specialUse(entry.attributes),
            selectable: !entry.hasAttribute("\\Noselect") && !entry.hasAttribute("\\NonExistent"))
    }

    /// A mailbox name as a quoted string for a command (names are 7-bit modified UTF-7).
    static func quoted(_ wire: [UInt8]) throws -> String {
        guard wire.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw IMAPClientError.unsendable("the folder name \(decodedName(wire))")
        }
        var text = "\""
        for byte in wire {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text += "\\" }
            text.unicodeScalars.append(Unicode.Scalar(byte))
        }
        return text + "\""
    }
}
