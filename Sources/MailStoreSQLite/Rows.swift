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

    static let columns =
        "id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid, special_use, noselect"

    /// Read by position (a lookup by name costs more than the query): keep it in the order of `columns`.
    init(row: Row) {
        id = row[0]
        accountID = row[1]
        name = row[2]
        uidValidity = UIDValidity(truncatingIfNeeded: row[3] as Int64)
        uidNext = UID(truncatingIfNeeded: row[4] as Int64)
        highestModSeq = ModSeq(truncatingIfNeeded: row[5] as Int64)
        firstRecentUID = UID(truncatingIfNeeded: row[6] as Int64)
        specialUse = (row[7] as String?).flatMap(SpecialUse.init(rawValue:))
        isNoSelect = row[8] as Bool
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
    var saveDate: Double
    var size: Int
    var blob: String
    var internalZone: Int

    /// Read by position (faster than by name on large fetches): keep `init(row:)` in this order.
    static let columns = "uid, modseq, flags, keywords, internal_date, save_date, size, blob, internal_zone"

    init(row: Row) {
        uid = UID(truncatingIfNeeded: row[0] as Int64)
        modSeq = ModSeq(truncatingIfNeeded: row[1] as Int64)
        flags = FlagCoding.decode(system: row[2], keywords: row[3])
        internalDate = row[4]
        saveDate = row[5]
        size = row[6]
        blob = row[7]
        internalZone = row[8]
    }

    var meta: MessageMeta {
        MessageMeta(
            uid: uid, modSeq: modSeq, flags: flags, internalDate: Date(timeIntervalSince1970: internalDate),
            size: size, saveDate: Date(timeIntervalSince1970: saveDate), emailID: EmailID.of(blob: blob),
            internalDateZone: internalZone)
    }
}

/// RFC 8474 EMAILID, derived from the content file id: every copy (and the result of a MOVE)
/// shares the content file and so the EMAILID, as RFC 8474 §5.1 asks, and it is stable for the
/// content's life. "E" followed by the 32 lowercase hex digits of the id: 33 characters within
/// the allowed alphabet (RFC 8474 §4: 1–255 of letters, digits, "-", "_"). No extra column or
/// table is needed, and a search by EMAILID maps straight onto the indexed `blob` column.
enum EmailID {
    static func of(blob: String) -> String { "E" + blob }

    /// The content id an EMAILID names, or nil when it cannot be one of ours.
    static func blob(of emailID: String) -> String? {
        guard emailID.hasPrefix("E") else { return nil }
        let id = emailID.dropFirst()
        guard id.utf8.count == 32, id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        return String(id)
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
