import Foundation
import MailStore

/// Everything a `MemoryMailStore` holds, behind its one lock: each call reads or changes it in one
/// critical section, which makes every call atomic (the memory engine's "transaction").
struct MemoryState {
    var accounts: [AccountID: MemoryAccount] = [:]
    /// Account ids by lowercased name: account names are ASCII and matched case-insensitively.
    var accountIDs: [String: AccountID] = [:]
    var mailboxes: [MailboxID: MemoryMailbox] = [:]
    /// Message content, shared by the copies of a message and released with the last of them.
    var contents: [ContentID: StoredContent] = [:]
    /// The largest UIDVALIDITY ever given, store-wide: a value is never given twice.
    var lastUIDValidity: Int64 = 0
    /// The limits of accounts without limits of their own.
    var defaultQuota = QuotaLimits.unlimited
    var nextAccountID: AccountID = 1
    var nextMailboxID: MailboxID = 1
    var nextContentID: ContentID = 1
}

typealias ContentID = UInt64

struct MemoryAccount {
    var id: AccountID
    var name: String
    var credentials: StoredCredentials
    var created: Date
    /// Mailbox ids by (normalized) name.
    var mailboxes: [String: MailboxID] = [:]
    var subscriptions: Set<String> = []
    /// Limits of its own; nil: the store's default applies.
    var quota: QuotaLimits?
    var appPasswords: [AppPassword] = []
    /// The import ledger: source keys of imported messages (see `MailStore`, "Import ledger").
    var importKeys: Set<String> = []
    /// Sieve scripts by name, and the active one's name.
    var sieveScripts: [String: [UInt8]] = [:]
    var activeSieveScript: String?
    /// METADATA entries (RFC 5464) per target, by normalized name.
    var metadata: [MetadataTarget: [String: [UInt8]]] = [:]
    /// Sieve tracking: expiry by kind and key hash.
    var sieveTracking: [MemorySieveTrackingKey: Date] = [:]
}

struct MemorySieveTrackingKey: Hashable {
    var kind: SieveTrackingKind
    var hash: [UInt8]
}

struct MemoryMailbox {
    var id: MailboxID
    var account: AccountID
    var name: String
    var uidValidity: UIDValidity
    var uidNext: UID = 1
    var highestModSeq: ModSeq = 1
    /// The lowest UID no session has been told is \Recent yet.
    var firstRecentUID: UID = 1
    var specialUse: SpecialUse?
    var isNoSelect = false
    /// Ascending by UID (UIDs are given ascending, under the lock, so appending keeps the order).
    var messages: [MemoryMessage] = []
    /// Tombstones of expunged messages: UID → the MODSEQ of the expunge.
    var expunged: [UID: ModSeq] = [:]

    var info: MailboxInfo {
        MailboxInfo(
            id: id, name: name, uidValidity: uidValidity, uidNext: uidNext, highestModSeq: highestModSeq,
            specialUse: specialUse, isNoSelect: isNoSelect)
    }

    /// Positions in `messages` of the UIDs of `uids`, ascending.
    func positions(of uids: UIDSet) -> [Int] {
        var found: [Int] = []
        for range in uids.ranges {
            var i = firstPosition(atLeast: range.lowerBound)
            while i < messages.count && messages[i].uid <= range.upperBound {
                found.append(i)
                i += 1
            }
        }
        return found
    }

    /// The position of `uid`, or nil.
    func position(of uid: UID) -> Int? {
        let i = firstPosition(atLeast: uid)
        return i < messages.count && messages[i].uid == uid ? i : nil
    }

    /// The first position whose UID is at least `uid` (`messages.count` when there is none).
    private func firstPosition(atLeast uid: UID) -> Int {
        var lo = 0
        var hi = messages.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if messages[mid].uid < uid { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

struct MemoryMessage {
    var uid: UID
    var modSeq: ModSeq
    var flags: MessageFlags
    var internalDate: Date
    var internalDateZone: Int
    var saveDate: Date
    var size: Int
    var content: ContentID

    var meta: MessageMeta {
        MessageMeta(
            uid: uid, modSeq: modSeq, flags: flags, internalDate: internalDate, size: size, saveDate: saveDate,
            emailID: EmailID.of(content), internalDateZone: internalDateZone)
    }
}

/// One message text and its parse result, referenced by every copy of the message.
struct StoredContent {
    var bytes: [UInt8]
    var references: Int
    var structure: MessageStructure?
    /// Sort keys the session derived from the header (they depend on the content only).
    var sortKeys: SortKeyData?
}

/// RFC 8474 EMAILID: "E" and the content id as 32 lowercase hex digits, so every copy (and the result
/// of a MOVE) shares it, it is stable for the content's life and it keeps to the allowed alphabet.
enum EmailID {
    static func of(_ content: ContentID) -> String {
        let hex = String(content, radix: 16)
        return "E" + String(repeating: "0", count: 32 - hex.count) + hex
    }
}

/// Flags as the store keeps them: keywords differing only in case merged; empty keywords and keywords
/// with a space (never IMAP atoms) dropped, as the SQLite engine's stored form drops them.
enum StoredFlags {
    static func of(_ flags: MessageFlags) -> MessageFlags {
        MessageFlags(system: flags.system, keywords: flags.keywords.filter { !$0.isEmpty && !$0.contains(" ") })
    }
}
