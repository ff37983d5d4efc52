import Foundation
import MailStore

/// Lookups and changes shared by the store's calls, always made under the store's lock.
extension MemoryState {
    func requireAccount(_ account: AccountID) throws {
        guard accounts[account] != nil else { throw MailStoreError.accountNotFound }
    }

    /// The account called `name`, matched case-insensitively (account names are ASCII).
    func accountID(named name: String) -> AccountID? {
        accountIDs[name.lowercased()]
    }

    /// The mailbox `id` of `account`; another account's mailbox is missing, like one that never was.
    func mailbox(_ account: AccountID, _ id: MailboxID) throws -> MemoryMailbox {
        guard let mailbox = mailboxes[id], mailbox.account == account else { throw MailStoreError.mailboxNotFound }
        return mailbox
    }

    /// The mailbox, which must be selectable (not a \Noselect placeholder).
    func selectable(_ account: AccountID, _ id: MailboxID) throws -> MemoryMailbox {
        let mailbox = try mailbox(account, id)
        if mailbox.isNoSelect { throw MailStoreError.noSelect }
        return mailbox
    }

    /// The mailbox called `name` (already normalized) of `account`, or nil.
    func mailbox(_ account: AccountID, named name: String) -> MemoryMailbox? {
        accounts[account]?.mailboxes[name].flatMap { mailboxes[$0] }
    }

    /// The next UIDVALIDITY: max(now, largest ever given + 1), store-wide, so a value once given is
    /// never given again (not after a mailbox or account was deleted and made again, nor after the
    /// clock went back).
    mutating func nextUIDValidity(_ account: AccountID) throws -> UIDValidity {
        try requireAccount(account)
        let next = max(Int64(Date().timeIntervalSince1970), lastUIDValidity + 1)
        guard next <= Int64(UInt32.max) else { throw MailStoreError.internal("UIDVALIDITY space exhausted") }
        lastUIDValidity = next
        return UIDValidity(next)
    }

    @discardableResult
    mutating func insertMailbox(_ account: AccountID, name: String, specialUse: SpecialUse?) throws -> MemoryMailbox {
        let validity = try nextUIDValidity(account)
        let mailbox = MemoryMailbox(
            id: nextMailboxID, account: account, name: name, uidValidity: validity, specialUse: specialUse)
        nextMailboxID += 1
        mailboxes[mailbox.id] = mailbox
        accounts[account]?.mailboxes[name] = mailbox.id
        return mailbox
    }

    mutating func createMissingAncestors(_ account: AccountID, of name: String) throws {
        for ancestor in MailboxPath.ancestors(of: name) where mailbox(account, named: ancestor) == nil {
            try insertMailbox(account, name: ancestor, specialUse: nil)
        }
    }

    /// Whether `name` lies strictly below `parent`, comparing bytes ("a/b" is below "a", "ab" is not).
    static func isChild(_ name: String, of parent: String) -> Bool {
        let utf8 = name.utf8
        let prefix = parent.utf8
        return utf8.count > prefix.count + 1 && utf8.starts(with: prefix)
            && utf8[utf8.index(utf8.startIndex, offsetBy: prefix.count)] == UInt8(ascii: "/")
    }

    func hasChildren(_ account: AccountID, _ name: String) -> Bool {
        accounts[account]?.mailboxes.keys.contains { Self.isChild($0, of: name) } ?? false
    }

    /// Takes a mailbox out of the table to change it without copying its messages (put it back after).
    mutating func take(_ id: MailboxID) -> MemoryMailbox {
        mailboxes.removeValue(forKey: id)!
    }

    /// Removes a mailbox with its messages (releasing their content).
    mutating func removeMailbox(_ id: MailboxID) {
        guard let mailbox = mailboxes.removeValue(forKey: id) else { return }
        accounts[mailbox.account]?.mailboxes[mailbox.name] = nil
        accounts[mailbox.account]?.metadata[.mailbox(id)] = nil
        release(mailbox.messages.map(\.content))
    }

    /// Removes \Noselect ancestors of `name` that no longer have children, innermost first. Returns
    /// the ids removed.
    mutating func removeEmptyPlaceholders(_ account: AccountID, above name: String) -> [MailboxID] {
        var removed: [MailboxID] = []
        for ancestor in MailboxPath.ancestors(of: name).reversed() {
            guard let mailbox = mailbox(account, named: ancestor), mailbox.isNoSelect,
                !hasChildren(account, ancestor)
            else { break }
            removeMailbox(mailbox.id)
            removed.append(mailbox.id)
        }
        return removed
    }

    /// Stores a new message text with one reference.
    mutating func addContent(_ bytes: [UInt8], structure: MessageStructure?) -> ContentID {
        let id = nextContentID
        nextContentID += 1
        contents[id] = StoredContent(bytes: bytes, references: 1, structure: structure)
        return id
    }

    /// Drops one reference to each content; the last reference takes the text and its parse result.
    mutating func release(_ ids: [ContentID]) {
        for id in ids {
            guard let references = contents[id]?.references else { continue }
            if references <= 1 {
                contents[id] = nil
            } else {
                contents[id]?.references = references - 1
            }
        }
    }

    /// Inserts copies of `messages` (ascending) into `target` with new UIDs from its UIDNEXT, ascending in
    /// the same order, one new MODSEQ, their flags, internal dates and content, and SAVEDATE now.
    /// Raises the target's UIDNEXT and HIGHESTMODSEQ. Returns (source UID, new UID) pairs.
    mutating func insertCopies(
        _ messages: [MemoryMessage], into target: MailboxID
    ) throws
        -> [(source: UID, destination: UID)]
    {
        guard let uidNext = mailboxes[target]?.uidNext else { throw MailStoreError.mailboxNotFound }
        guard UInt64(uidNext) + UInt64(messages.count) <= UInt64(UID.max) else {
            throw MailStoreError.internal("UID space exhausted")
        }
        var mailbox = take(target)
        defer { mailboxes[target] = mailbox }
        let modSeq = mailbox.highestModSeq + 1
        let now = Date()
        var pairs: [(source: UID, destination: UID)] = []
        pairs.reserveCapacity(messages.count)
        for var message in messages {
            let source = message.uid
            message.uid = mailbox.uidNext
            message.modSeq = modSeq
            message.saveDate = now
            mailbox.messages.append(message)
            contents[message.content]?.references += 1
            pairs.append((source, message.uid))
            mailbox.uidNext += 1
        }
        mailbox.highestModSeq = modSeq
        return pairs
    }

    /// Removes the messages of `uids` (which must be present) and leaves their tombstones with
    /// `modSeq`; raises HIGHESTMODSEQ to it. The content is released.
    mutating func removeMessages(_ mailbox: MailboxID, uids: [UID], modSeq: ModSeq) {
        guard mailboxes[mailbox] != nil else { return }
        var box = take(mailbox)
        let gone = Set(uids)
        var released: [ContentID] = []
        box.messages.removeAll { message in
            guard gone.contains(message.uid) else { return false }
            released.append(message.content)
            return true
        }
        for uid in uids { box.expunged[uid] = modSeq }
        box.highestModSeq = modSeq
        mailboxes[mailbox] = box
        release(released)
    }
}
