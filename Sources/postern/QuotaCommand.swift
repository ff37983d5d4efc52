import Administration
import ArgumentParser
import MailStore

extension User {
    /// `postern user quota NAME [--storage SIZE] [--messages N] [--default]`: shows the account's
    /// usage and limits, after changing them when asked.
    struct Quota: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set an account's quota (RFC 9208 STORAGE and MESSAGE).",
            discussion: """
                Sizes are bytes or a number with K, M, G or T (binary: 2G = 2 GiB); 'none' removes a limit.
                Limits given replace the account's; without any, its quota is only shown. --default drops
                the account's own limits, so the server's default_quota_* settings apply again.
                """
        )
        @Argument(help: "The account name.") var name: String
        @Option(help: "Storage limit, e.g. 2G, 500M, or 'none'.") var storage: String?
        @Option(help: "Message count limit, or 'none'.") var messages: String?
        @Flag(name: .customLong("default"), help: "Use the server's default quota for this account.")
        var useDefault = false
        @OptionGroup var data: StoreOptions

        func validate() throws {
            if useDefault && (storage != nil || messages != nil) {
                throw ValidationError("--default cannot be combined with --storage or --messages")
            }
            if let storage, storage.lowercased() != "none", QuotaLimits.parseSize(storage) == nil {
                throw ValidationError("--storage '\(storage)': expected a size like 2G, 500M, 1048576 or none")
            }
            if let messages, messages.lowercased() != "none", Int64(messages).map({ $0 >= 0 }) != true {
                throw ValidationError("--messages '\(messages)': expected a number of messages or none")
            }
        }

        func run() async throws {
            let quota = try await administer(data) { administration in
                if useDefault {
                    return try await administration.setQuota(name: name, limits: nil)
                }
                guard storage != nil || messages != nil else { return try await administration.quota(name: name) }
                var limits = try await administration.quota(name: name).limits
                if let storage { limits.storageBytes = QuotaLimits.parseSize(storage) }
                if let messages { limits.messages = Int64(messages) }
                return try await administration.setQuota(name: name, limits: limits)
            }
            print("\(name): \(quota.isDefault ? "server default" : "own limits")")
            print("storage: \(quota.usedBytes) bytes used, limit \(Self.limit(quota.limits.storageBytes, "bytes"))")
            print("messages: \(quota.usedMessages) used, limit \(Self.limit(quota.limits.messages, ""))")
        }

        private static func limit(_ value: Int64?, _ unit: String) -> String {
            guard let value else { return "none" }
            return unit.isEmpty ? "\(value)" : "\(value) \(unit)"
        }
    }
}
