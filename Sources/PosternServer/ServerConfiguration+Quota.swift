import MailStore
import TOMLKit

/// The quota keys of the TOML file (RFC 9208 quotas: see `MailStore.quota(account:)`).
extension ServerConfiguration {
    static let quotaKeys: Set<String> = ["default_quota_storage", "default_quota_messages", "quota_admins"]

    /// `default_quota_storage` (bytes, or a size like "2G"), `default_quota_messages` (a count) and
    /// `quota_admins` (account names that may use SETQUOTA).
    mutating func applyQuota(_ table: TOMLTable) throws {
        if let value = table["default_quota_storage"] {
            let bytes: Int64?
            if let number = value.int {
                bytes = number >= 0 ? Int64(number) : nil
            } else if let text = value.string {
                bytes = QuotaLimits.parseSize(text)
            } else {
                bytes = nil
            }
            guard let bytes else {
                throw ServerError.configuration(
                    "config default_quota_storage: expected a size like \"2G\", \"500M\" or a number of bytes")
            }
            defaultQuota.storageBytes = bytes
        }
        if let value = table["default_quota_messages"] {
            guard let count = value.int, count >= 0 else {
                throw ServerError.configuration("config default_quota_messages: expected a number of messages")
            }
            defaultQuota.messages = Int64(count)
        }
        if let value = table["quota_admins"] {
            guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
                throw ServerError.configuration("config quota_admins: expected an array of account names")
            }
            quotaAdmins = Set(array.compactMap { $0.string?.lowercased() })
        }
    }
}
