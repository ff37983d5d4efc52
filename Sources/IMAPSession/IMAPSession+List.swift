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
                untagged("LIST (\\Noselect) \"/\" \"\"")
                tagged(tag, .ok, text: "LIST completed")
                return .next
            }
            let mailboxes = try await store.listMailboxes(account: accountID)
            let subscribed = Set(try await store.subscriptions(account: accountID))
            let matchers = patterns.map { MailboxPattern(reference: reference, pattern: $0) }
            let selectSubscribed = command.selectionOptions.contains(.subscribed)
            let selectSpecialUse = command.selectionOptions.contains(.specialUse)
            let returnSubscribed = selectSubscribed || command.returnOptions.contains(.subscribed)
            var statusAttributes: [StatusAttribute]?
            for case .status(let attributes) in command.returnOptions { statusAttributes = attributes }
            let names = Set(mailboxes.map(\.name))
            let parents = Set(names.flatMap { MailboxPath.ancestors(of: $0) })
            for mailbox in mailboxes.sorted(by: { Self.listOrder($0.name, $1.name) }) {
                guard matchers.contains(where: { $0.matches(mailbox.name) }) else { continue }
                if selectSubscribed && !subscribed.contains(mailbox.name) { continue }
                if selectSpecialUse && mailbox.specialUse == nil { continue }
                var attributes: [String] = []
                if mailbox.isNoSelect { attributes.append("\\Noselect") }
                attributes.append(parents.contains(mailbox.name) ? "\\HasChildren" : "\\HasNoChildren")
                if returnSubscribed && subscribed.contains(mailbox.name) { attributes.append("\\Subscribed") }
                if let use = mailbox.specialUse { attributes.append(use.rawValue) }
                out.writeString("* LIST (\(attributes.joined(separator: " "))) \"/\" ")
                writeMailbox(mailbox.name)
                out.writeString("\r\n")
                if let statusAttributes, !mailbox.isNoSelect {
                    let status = try await store.status(account: accountID, mailbox: mailbox.id)
                    out.writeString("* STATUS ")
                    writeMailbox(mailbox.name)
                    out.writeString(" (\(Self.statusItems(status, statusAttributes, appendLimit: configuration.maxMessageSize)))\r\n")
                }
            }
            // Subscriptions of mailboxes that no longer exist (RFC 5258 §3.1: \NonExistent).
            if selectSubscribed {
                for name in subscribed.subtracting(names).sorted()
                where matchers.contains(where: { $0.matches(name) }) {
                    out.writeString("* LIST (\\Subscribed \\NonExistent) \"/\" ")
                    writeMailbox(name)
                    out.writeString("\r\n")
                }
            }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "LIST completed")
        } catch {
            fail(tag, error, command: "LIST")
        }
        return .next
    }

    func lsub(_ tag: String, reference wireReference: IMAPWire.MailboxName, pattern: ByteString) async -> ResumeDirective {
        do {
            let reference = try decodePattern(wireReference.bytes)
            let matcher = MailboxPattern(reference: reference, pattern: try decodePattern(pattern.bytes))
            let mailboxes = try await store.listMailboxes(account: accountID)
            let selectable = Set(mailboxes.filter { !$0.isNoSelect }.map(\.name))
            for name in try await store.subscriptions(account: accountID).sorted(by: Self.listOrder)
            where matcher.matches(name) {
                out.writeString(selectable.contains(name) ? "* LSUB () \"/\" " : "* LSUB (\\Noselect) \"/\" ")
                writeMailbox(name)
                out.writeString("\r\n")
            }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "LSUB completed")
        } catch {
            fail(tag, error, command: "LSUB")
        }
        return .next
    }

    /// A reference or pattern: modified UTF-7 (or UTF-8), wildcards allowed, never a NUL or control.
    private func decodePattern(_ bytes: [UInt8]) throws -> String {
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw MailStoreError.invalidMailboxName("control characters are not allowed")
        }
        if bytes.allSatisfy({ $0 < 0x80 }) {
            guard let decoded = try? ModifiedUTF7.decode(bytes) else {
                throw MailStoreError.invalidMailboxName("not valid modified UTF-7")
            }
            return decoded
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw MailStoreError.invalidMailboxName("not valid UTF-8")
        }
        return text
    }

    /// INBOX first, then by name.
    static func listOrder(_ a: String, _ b: String) -> Bool {
        let aInbox = MailboxPath.isInbox(a)
        let bInbox = MailboxPath.isInbox(b)
        if aInbox != bInbox { return aInbox }
        return a < b
    }

    static func statusItems(
        _ status: MailboxStatus, _ attributes: [StatusAttribute], appendLimit: Int, deleted: Int? = nil
    ) -> String {
        attributes.compactMap { attribute -> String? in
            switch attribute {
            case .messages: return "MESSAGES \(status.messages)"
            case .recent: return "RECENT \(status.recent)"
            case .uidNext: return "UIDNEXT \(status.uidNext)"
            case .uidValidity: return "UIDVALIDITY \(status.uidValidity)"
            case .unseen: return "UNSEEN \(status.unseen)"
            case .size: return "SIZE \(status.size)"
            case .appendLimit: return "APPENDLIMIT \(appendLimit)"
            case .highestModSeq: return "HIGHESTMODSEQ \(status.highestModSeq)"
            case .deleted: return deleted.map { "DELETED \($0)" }
            }
        }.joined(separator: " ")
    }
}
