import Foundation

/// An account's limits (RFC 9208 §5: the STORAGE and MESSAGE resources of its one quota root). A nil
/// resource has no limit.
public struct QuotaLimits: Sendable, Equatable, Hashable {
    /// Sum of the sizes of all the account's messages, in bytes (every copy counts).
    public var storageBytes: Int64?
    /// Number of messages in all the account's mailboxes.
    public var messages: Int64?

    public init(storageBytes: Int64? = nil, messages: Int64? = nil) {
        self.storageBytes = storageBytes
        self.messages = messages
    }

    public static let unlimited = QuotaLimits()

    public var isUnlimited: Bool { storageBytes == nil && messages == nil }

    /// True when an account using `bytes` and `messages` is within these limits.
    public func admits(bytes: Int64, messages count: Int64) -> Bool {
        if let storageBytes, bytes > storageBytes { return false }
        if let messages, count > messages { return false }
        return true
    }
}

/// What an account uses and may use.
public struct AccountQuota: Sendable, Equatable {
    public var usedBytes: Int64
    public var usedMessages: Int64
    /// The limits in force: the account's own, or the store's default (`isDefault`).
    public var limits: QuotaLimits
    /// The account has no limits of its own: the store's default applies.
    public var isDefault: Bool

    public init(usedBytes: Int64, usedMessages: Int64, limits: QuotaLimits, isDefault: Bool) {
        self.usedBytes = usedBytes
        self.usedMessages = usedMessages
        self.limits = limits
        self.isDefault = isDefault
    }
}

extension MailStore {
    /// The number and total size of the messages flagged \Deleted in a mailbox (STATUS DELETED, RFC
    /// 9051 §6.3.11, and DELETED-STORAGE, RFC 9208 §4.3). Engines with an index may do better.
    public func deletedTotals(account: AccountID, mailbox: MailboxID) async throws -> (count: Int, bytes: Int64) {
        let deleted = try await messages(
            account: account, mailbox: mailbox, uids: UIDSet(ranges: [1...UID.max]), with: .deleted, without: [])
        return (deleted.count, deleted.reduce(0) { $0 + Int64($1.size) })
    }
}

extension QuotaLimits {
    /// A size as an administrator writes it: a number of bytes, or a number with the binary suffix
    /// K, M, G or T (also KB/KiB and so on; case-insensitive): `500M`, `2G`. Nil when malformed,
    /// negative or too large.
    public static func parseSize(_ text: String) -> Int64? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits.removeLast(suffix.count)
            break
        }
        var multiplier: Int64 = 1
        if let last = digits.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(last)] {
            digits.removeLast()
            multiplier = Int64(1) << (10 * power)
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int64(digits) else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
