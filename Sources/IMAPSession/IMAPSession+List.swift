import Foundation
import IMAPWire
import MailStore
import NIOCore

/// LIST (RFC 9051 §6.3.9, with RFC 5258 options and RFC 6154 attributes) and LSUB (RFC 3501 §6.3.9).
extension IMAPSession {
    func list(_ tag: String, _ command: ListCommand) async -> ResumeDirective {
        do {
            let reference = try decodePattern(command.reference.bytes)
            let patterns = try command.patterns.map { try decodePattern($0.bytes) }
            // An empty pattern asks for the hierarchy delimiter and the root (RFC 9051 §6.3.9).
            if patterns.count == 1 && patterns[0].isEmpty && command.selectionOptions.isEmpty {
                send(.list(ListResponse(attributes: ["\\Noselect"], name: "")))
                tagged(tag, .ok, text: "LIST completed")
                return .next
            }
            let options = Set(command.selectionOptions)
            // RFC 5258 §3.1: RECURSIVEMATCH only refines another selection option.
            if options.contains(.recursiveMatch) && !options.contains(.subscribed) && !options.contains(.specialUse) {
                tagged(tag, .bad, text: "RECURSIVEMATCH needs another selection option")
                return .next
            }
            let mailboxes = try await store.listMailboxes(account: accountID)
            let byName = Dictionary(mailboxes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let subscribed = Set(try await store.subscriptions(account: accountID))
            let matchers = patterns.map { MailboxPattern(reference: reference, pattern: $0) }
            let selectSubscribed = options.contains(.subscribed)
            let selectSpecialUse = options.contains(.specialUse)
            let recursive = options.contains(.recursiveMatch)
            let returnSubscribed = selectSubscribed || command.returnOptions.contains(.subscribed)
            var statusAttributes: [StatusAttribute]?
            for case .status(let attributes) in command.returnOptions { statusAttributes = attributes }
            if extensions.rev2 && statusAttributes?.contains(.recent) == true {
                tagged(tag, .bad, text: Self.noRecentInRev2)
                return .next
            }
            let parents = Set(byName.keys.flatMap { MailboxPath.ancestors(of: $0) })
            // RECURSIVEMATCH's CHILDINFO (RFC 5258 §3.5): names with a descendant that passes the selection
            // but that the patterns do not return; a descendant listed anyway would make it redundant.
            var selectedAncestors = Set<String>()
            if recursive {
                for name in Set(byName.keys).union(subscribed)
                where !matchers.contains(where: { $0.matches(name) }) {
                    let passes = selectSubscribed ? subscribed.contains(name) : byName[name]?.specialUse != nil
                    if passes { selectedAncestors.formUnion(MailboxPath.ancestors(of: name)) }
                }
            }
            let universe = selectSubscribed ? Set(byName.keys).union(subscribed) : Set(byName.keys)
            for name in universe.sorted(by: Self.listOrder) where matchers.contains(where: { $0.matches(name) }) {
                let mailbox = byName[name]
                let isSubscribed = subscribed.contains(name)
                let passes: Bool
                if selectSubscribed {
                    passes = isSubscribed
                } else if selectSpecialUse {
                    passes = mailbox?.specialUse != nil
                } else {
                    passes = mailbox != nil
                }
                let childInfo = recursive && selectedAncestors.contains(name)
                guard passes || childInfo else { continue }
                var attributes: [String] = []
                if let mailbox {
                    if mailbox.isNoSelect { attributes.append("\\Noselect") }
                    attributes.append(parents.contains(name) ? "\\HasChildren" : "\\HasNoChildren")
                    if let use = mailbox.specialUse { attributes.append(use.rawValue) }
                } else {
                    attributes.append("\\NonExistent")
                }
                if returnSubscribed && isSubscribed { attributes.append("\\Subscribed") }
                let extended: [ListExtendedItem] =
                    childInfo ? [.childInfo([selectSubscribed ? "SUBSCRIBED" : "SPECIAL-USE"])] : []
                send(.list(ListResponse(attributes: attributes, name: responseName(name), extended: extended)))
                // LIST-STATUS (RFC 5819 §2): STATUS right after the mailbox's LIST, for selectable ones.
                if let statusAttributes, passes, let mailbox, !mailbox.isNoSelect {
                    let items = try await statusItems(mailbox.id, statusAttributes)
                    send(.mailboxStatus(MailboxStatusResponse(name: responseName(name), items: items)))
                }
            }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "LIST completed")
        } catch {
            fail(tag, error, command: "LIST")
        }
        return .next
    }

    func lsub(
        _ tag: String, reference wireReference: IMAPWire.MailboxName, pattern: ByteString
    ) async -> ResumeDirective {
        do {
            let reference = try decodePattern(wireReference.bytes)
            let matcher = MailboxPattern(reference: reference, pattern: try decodePattern(pattern.bytes))
            let mailboxes = try await store.listMailboxes(account: accountID)
            let selectable = Set(mailboxes.filter { !$0.isNoSelect }.map(\.name))
            let subscribed = Set(try await store.subscriptions(account: accountID))
            for name in Self.lsubNames(subscribed: subscribed, matcher: matcher) {
                let attributes = selectable.contains(name) && subscribed.contains(name) ? [] : ["\\Noselect"]
                send(.list(ListResponse(kind: .lsub, attributes: attributes, name: responseName(name))))
            }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "LSUB completed")
        } catch {
            fail(tag, error, command: "LSUB")
        }
        return .next
    }

    /// The names LSUB answers, in list order: the subscribed names the pattern matches and, as RFC 3501
    /// §6.3.9 asks of `%`, an unsubscribed parent the pattern matches when it stops short of a
    /// subscribed descendant (`foo/bar` subscribed, `foo` not: LSUB "" % answers `foo`, \Noselect).
    static func lsubNames(subscribed: Set<String>, matcher: MailboxPattern) -> [String] {
        var names = Set<String>()
        for name in subscribed {
            if matcher.matches(name) {
                names.insert(name)
                continue
            }
            for ancestor in MailboxPath.ancestors(of: name) where matcher.matches(ancestor) {
                names.insert(ancestor)
            }
        }
        return names.sorted(by: listOrder)
    }

    /// A reference or pattern: modified UTF-7 (or UTF-8), wildcards allowed, never a NUL or control.
    private func decodePattern(_ bytes: [UInt8]) throws -> String {
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw MailStoreError.invalidMailboxName("control characters are not allowed")
        }
        if bytes.allSatisfy({ $0 < 0x80 }) && !(extensions.utf8MailboxNames) {
            return Self.decodePatternUTF7(bytes)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw MailStoreError.invalidMailboxName("not valid UTF-8")
        }
        return text
    }

    /// A pattern is not a name (RFC 9051 §6.3.9): each well-formed modified UTF-7 shift (`&...-`) is
    /// decoded, and an `&` that does not start one (`&` alone, `foo&bar`, a wildcard inside base64)
    /// stands for itself, so such a pattern is matched literally instead of refused.
    static func decodePatternUTF7(_ bytes: [UInt8]) -> String {
        if let decoded = try? ModifiedUTF7.decode(bytes) { return decoded }
        var result = ""
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "&") else {
                result.unicodeScalars.append(Unicode.Scalar(bytes[i]))
                i += 1
                continue
            }
            if let end = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "-")),
                let shift = try? ModifiedUTF7.decode(Array(bytes[i...end]))
            {
                result += shift
                i = end + 1
            } else {
                result += "&"
                i += 1
            }
        }
        return result
    }

    /// RFC 8474 MAILBOXID: stable across RENAME, never reused (mailbox ids are never reused).
    static func mailboxObjectID(_ id: MailboxID) -> String { "M\(id)" }

    /// INBOX first, then by name.
    static func listOrder(_ a: String, _ b: String) -> Bool {
        let aInbox = MailboxPath.isInbox(a)
        let bInbox = MailboxPath.isInbox(b)
        if aInbox != bInbox { return aInbox }
        return a < b
    }

    /// The STATUS items of a mailbox (RFC 9051 §6.3.11), for STATUS and LIST-STATUS: the messages
    /// flagged \Deleted are only counted when DELETED or DELETED-STORAGE (RFC 9208 §4.3) is asked for.
    func statusItems(_ mailbox: MailboxID, _ attributes: [StatusAttribute]) async throws -> [MailboxStatusItem] {
        let status = try await store.status(account: accountID, mailbox: mailbox)
        var deleted: (count: Int, bytes: Int64)?
        if attributes.contains(.deleted) || attributes.contains(.deletedStorage) {
            deleted = try await store.deletedTotals(account: accountID, mailbox: mailbox)
        }
        return Self.statusItems(
            status, attributes, appendLimit: configuration.maxMessageSize, mailboxID: mailbox, deleted: deleted)
    }

    static func statusItems(
        _ status: MailboxStatus, _ attributes: [StatusAttribute], appendLimit: Int, mailboxID: MailboxID,
        deleted: (count: Int, bytes: Int64)? = nil
    ) -> [MailboxStatusItem] {
        attributes.compactMap { attribute -> MailboxStatusItem? in
            switch attribute {
            case .messages: return .number(attribute, UInt64(status.messages))
            case .recent: return .number(attribute, UInt64(status.recent))
            case .uidNext: return .number(attribute, UInt64(status.uidNext))
            case .uidValidity: return .number(attribute, UInt64(status.uidValidity))
            case .unseen: return .number(attribute, UInt64(status.unseen))
            case .size: return .number(attribute, UInt64(status.size))
            case .appendLimit: return .number(attribute, UInt64(appendLimit))
            case .highestModSeq: return .number(attribute, status.highestModSeq)
            case .deleted: return deleted.map { .number(attribute, UInt64($0.count)) }
            case .deletedStorage: return deleted.map { .number(attribute, Self.kibibytes($0.bytes)) }
            case .mailboxID: return .mailboxID(Self.mailboxObjectID(mailboxID))
            }
        }
    }
}
