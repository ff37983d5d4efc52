import Foundation
import MailStore
import NIOCore
import PostgresNIO

/// A `mailboxes` row.
struct PGMailbox {
    var id: MailboxID
    var accountID: AccountID
    var name: String
    var uidValidity: UIDValidity
    var uidNext: UID
    var highestModSeq: ModSeq
    var firstRecentUID: UID
    var specialUse: SpecialUse?
    var isNoSelect: Bool

    /// Keep `init(row:)` in this order.
    static let columns =
        "id, account_id, name, uidvalidity, uidnext, highestmodseq, first_recent_uid, special_use, noselect"

    init(row: PostgresRow) throws {
        let (id, account, name, validity, next, modSeq, recent, special, noSelect) = try row.decode(
            (Int64, Int64, String, Int64, Int64, Int64, Int64, String?, Bool).self)
        self.id = id
        accountID = account
        self.name = name
        uidValidity = UIDValidity(truncatingIfNeeded: validity)
        uidNext = UID(truncatingIfNeeded: next)
        highestModSeq = ModSeq(truncatingIfNeeded: modSeq)
        firstRecentUID = UID(truncatingIfNeeded: recent)
        specialUse = special.flatMap(SpecialUse.init(rawValue:))
        isNoSelect = noSelect
    }

    var info: MailboxInfo {
        MailboxInfo(
            id: id, name: name, uidValidity: uidValidity, uidNext: uidNext, highestModSeq: highestModSeq,
            specialUse: specialUse, isNoSelect: isNoSelect)
    }
}

/// A `messages` row (all but the mailbox).
struct PGMessage {
    var uid: UID
    var modSeq: ModSeq
    var flags: MessageFlags
    var internalDate: Double
    var internalZone: Int
    var saveDate: Double
    var size: Int
    var contentID: Int64
    var emailID: Int64

    /// Keep `init(row:)` in this order.
    static let columns =
        "uid, modseq, flags, keywords, internal_date, internal_zone, save_date, size, content_id, email_id"

    init(row: PostgresRow) throws {
        let (uid, modSeq, system, keywords, internalDate, zone, saveDate, size, content, email) = try row.decode(
            (Int64, Int64, Int32, [String], Double, Int32, Double, Int64, Int64, Int64).self)
        self.uid = UID(truncatingIfNeeded: uid)
        self.modSeq = ModSeq(truncatingIfNeeded: modSeq)
        flags = MessageFlags(system: SystemFlags(rawValue: Int(system)), keywords: Set(keywords))
        self.internalDate = internalDate
        internalZone = Int(zone)
        self.saveDate = saveDate
        self.size = Int(size)
        contentID = content
        emailID = email
    }

    var meta: MessageMeta {
        MessageMeta(
            uid: uid, modSeq: modSeq, flags: flags, internalDate: Date(timeIntervalSince1970: internalDate),
            size: size, saveDate: Date(timeIntervalSince1970: saveDate), emailID: PGEmailID.of(emailID),
            internalDateZone: internalZone)
    }
}

/// RFC 8474 EMAILID: "M" and the message's email id as 16 hex digits (letters and digits only).
enum PGEmailID {
    static func of(_ id: Int64) -> String {
        let hex = String(UInt64(bitPattern: id), radix: 16)
        return "M" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}

/// Flags as the store keeps them: keywords differing only in case merged; empty keywords and keywords
/// with a space (never IMAP atoms) dropped, as the other engines do.
enum PGFlags {
    static func stored(_ flags: MessageFlags) -> MessageFlags {
        let normalized = flags.normalized
        return MessageFlags(
            system: normalized.system, keywords: normalized.keywords.filter { !$0.isEmpty && !$0.contains(" ") })
    }

    /// The keywords column's value: sorted, so equal sets are stored alike.
    static func keywords(_ flags: MessageFlags) -> [String] { flags.keywords.sorted() }

    static func system(_ flags: MessageFlags) -> Int32 { Int32(flags.system.rawValue) }
}

extension Date {
    /// Seconds since 1970 as stored (double precision keeps a `Date` exact).
    var stored: Double { timeIntervalSince1970 }
}

/// Bytes as a `bytea` parameter or column.
enum PGBytes {
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
    static func bytes(_ buffer: ByteBuffer?) -> [UInt8]? { buffer.map { Array($0.readableBytesView) } }
}
