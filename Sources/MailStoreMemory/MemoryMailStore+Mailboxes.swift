import Foundation
import MailStore

extension MemoryMailStore {
    /// Ordered by the bytes of their names (the SQLite engine's BINARY order).
    public func listMailboxes(account: AccountID) async throws -> [MailboxInfo] {
        try read { state in
            try state.requireAccount(account)
            return state.mailboxes.values.filter { $0.account == account }.map(\.info).sorted {
                $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
            }
        }
    }

    public func mailbox(account: AccountID, name: String) async throws -> MailboxInfo? {
        guard let name = try? MailboxPath.validated(name) else { return nil }
        return try read { state in state.mailbox(account, named: name)?.info }
    }

    public func createMailbox(account: AccountID, name: String, specialUse: SpecialUse?) async throws -> MailboxInfo {
        let name = try MailboxPath.validated(name)
        return try change { state, changed in
            try state.requireAccount(account)
            if let existing = state.mailbox(account, named: name) {
                guard existing.isNoSelect else { throw MailStoreError.mailboxExists }
                // A placeholder becomes a new, empty, selectable incarnation.
                let validity = try state.nextUIDValidity(account)
                var revived = state.take(existing.id)
                revived.isNoSelect = false
                revived.uidValidity = validity
                revived.uidNext = 1
                revived.highestModSeq = 1
                revived.firstRecentUID = 1
                revived.specialUse = specialUse
                revived.expunged = [:]
                state.mailboxes[revived.id] = revived
                changed.insert(revived.id)
                return revived.info
            }
            try state.createMissingAncestors(account, of: name)
            return try state.insertMailbox(account, name: name, specialUse: specialUse).info
        }
    }

    public func deleteMailbox(account: AccountID, name: String) async throws {
        let name = try MailboxPath.validated(name)
        if MailboxPath.isInbox(name) { throw MailStoreError.cannotDeleteInbox }
        try change { state, changed in
            guard let id = state.mailbox(account, named: name)?.id else { throw MailStoreError.mailboxNotFound }
            if state.hasChildren(account, name) {
                var mailbox = state.take(id)
                defer { state.mailboxes[id] = mailbox }
                if mailbox.isNoSelect { throw MailStoreError.noSelect }
                state.release(mailbox.messages.map(\.content))
                mailbox.messages = []
                mailbox.expunged = [:]
                mailbox.isNoSelect = true
                mailbox.specialUse = nil
                state.accounts[account]?.metadata[.mailbox(id)] = nil
            } else {
                state.removeMailbox(id)
                changed.formUnion(state.removeEmptyPlaceholders(account, above: name))
            }
            changed.insert(id)
        }
    }

    public func renameMailbox(account: AccountID, from: String, to: String) async throws {
        let from = try MailboxPath.validated(from)
        let to = try MailboxPath.validated(to)
        try change { state, changed in
            guard let source = state.mailbox(account, named: from)?.info else { throw MailStoreError.mailboxNotFound }
            if MailboxPath.isInbox(to) || from == to || state.mailbox(account, named: to) != nil {
                throw MailStoreError.mailboxExists
            }
            if source.name == MailboxPath.inbox {
                try state.createMissingAncestors(account, of: to)
                let target = try state.insertMailbox(account, name: to, specialUse: nil).id
                try Self.moveAllMessages(&state, from: source.id, to: target)
                changed.formUnion([source.id, target])
                return
            }
            if MailboxPath.isInside(to, ancestor: from) {
                throw MailStoreError.invalidMailboxName("cannot rename a mailbox into itself")
            }
            let family = (state.accounts[account]?.mailboxes ?? [:])
                .filter { $0.key == from || MemoryState.isChild($0.key, of: from) }
                .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            var renames: [(id: MailboxID, old: String, new: String)] = []
            for (name, id) in family {
                let newName = to + String(decoding: name.utf8.dropFirst(from.utf8.count), as: UTF8.self)
                try MailboxPath.validate(newName)
                if state.mailbox(account, named: newName) != nil { throw MailStoreError.mailboxExists }
                renames.append((id, name, newName))
            }
            try state.createMissingAncestors(account, of: to)
            for rename in renames {
                state.accounts[account]?.mailboxes[rename.old] = nil
            }
            for rename in renames {
                state.mailboxes[rename.id]?.name = rename.new
                state.accounts[account]?.mailboxes[rename.new] = rename.id
                if state.accounts[account]?.subscriptions.remove(rename.old) != nil {
                    state.accounts[account]?.subscriptions.insert(rename.new)
                }
            }
            changed.formUnion(renames.map(\.id))
            changed.formUnion(state.removeEmptyPlaceholders(account, above: from))
        }
    }

    public func setSubscribed(account: AccountID, name: String, subscribed: Bool) async throws {
        let name = try MailboxPath.validated(name)
        try change { state, _ in
            try state.requireAccount(account)
            if subscribed {
                state.accounts[account]?.subscriptions.insert(name)
            } else {
                state.accounts[account]?.subscriptions.remove(name)
            }
        }
    }

    public func subscriptions(account: AccountID) async throws -> [String] {
        try read { state in
            (state.accounts[account]?.subscriptions ?? []).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
    }

    /// RENAME INBOX (RFC 9051 §6.3.6): every message moves to `target` with new UIDs (ascending in the
    /// old order, SAVEDATE now, as for MOVE) and leaves a tombstone in INBOX, whose UIDVALIDITY and
    /// UIDNEXT stay.
    static func moveAllMessages(_ state: inout MemoryState, from source: MailboxID, to target: MailboxID) throws {
        guard let mailbox = state.mailboxes[source], !mailbox.messages.isEmpty else { return }
        let messages = mailbox.messages
        let modSeq = mailbox.highestModSeq + 1
        _ = try state.insertCopies(messages, into: target)
        state.removeMessages(source, uids: messages.map(\.uid), modSeq: modSeq)
    }
}
