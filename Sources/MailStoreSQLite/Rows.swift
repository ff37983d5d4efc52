import Foundation
import GRDB
import MailStore

/// A mailboxes row.
struct MailboxRow {
    var id: MailboxID
    var accountID: AccountID
    var name: String
    var uidValidity: UIDValidity
    var uidNext: UID
    var highestModSeq: ModSeq
    var firstRecentUID: UID
    var specialUse: SpecialUse?
    var isNoSelect: Bool

    static let columns = "id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid, special_use, noselect"

    init(row: Row) {
        id = row["id"]
        accountID = row["account_id"]
        name = row["name"]
        uidValidity = UIDValidity(truncatingIfNeeded: row["uidvalidity"] as Int64)
        uidNext = UID(truncatingIfNeeded: row["uidnext"] as Int64)
        highestModSeq = ModSeq(truncatingIfNeeded: row["highestmodseq"] as Int64)
        firstRecentUID = UID(truncatingIfNeeded: row["first_recent_uid"] as Int64)
        specialUse = (row["special_use"] as String?).flatMap(SpecialUse.init(rawValue:))
        isNoSelect = row["noselect"] as Bool
    }

    var info: MailboxInfo {
        MailboxInfo(
            id: id, name: name, uidValidity: uidValidity, uidNext: uidNext, highestModSeq: highestModSeq,
            specialUse: specialUse, isNoSelect: isNoSelect)
    }
}

/// A messages row (all columns).
struct MessageRow {
    var uid: UID
    var modSeq: ModSeq
    var flags: MessageFlags
    var internalDate: Double
    var size: Int
    var blob: String

    static let columns = "uid, modseq, flags, keywords, internal_date, size, blob"

    init(row: Row) {
        uid = UID(truncatingIfNeeded: row["uid"] as Int64)
        modSeq = ModSeq(truncatingIfNeeded: row["modseq"] as Int64)
        flags = FlagCoding.decode(system: row["flags"], keywords: row["keywords"])
        internalDate = row["internal_date"]
        size = row["size"]
        blob = row["blob"]
    }

    var meta: MessageMeta {
        MessageMeta(
            uid: uid, modSeq: modSeq, flags: flags, internalDate: Date(timeIntervalSince1970: internalDate),
            size: size)
    }
}

/// Flags as stored: system flags as a bitmask, keywords space-separated and sorted (keywords are
/// IMAP atoms, which never contain a space).
enum FlagCoding {
    static func keywords(_ flags: MessageFlags) -> String {
        flags.keywords.filter { !$0.isEmpty && !$0.contains(" ") }.sorted().joined(separator: " ")
    }

    static func decode(system: Int64, keywords: String) -> MessageFlags {
        MessageFlags(
            system: SystemFlags(rawValue: Int(system)),
            keywords: keywords.isEmpty ? [] : Set(keywords.split(separator: " ").map(String.init)))
    }
}
