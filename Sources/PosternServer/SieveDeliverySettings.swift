import Foundation
import MailRelay
import TOMLKit

/// How Sieve runs at delivery: the `[sieve]` table's `relay` (`smtp://HOST[:PORT]`, where redirects
/// and vacation replies are handed over; without it both are skipped and logged), `before` and `after`
/// (paths of global scripts run before and after each account's own, a string or an array, in order;
/// Pigeonhole's `sieve_before`/`sieve_after`) and `global_dir` (where `include :global` finds scripts).
public struct SieveDeliverySettings: Sendable, Equatable {
    static let tomlKeys: Set<String> = ["relay", "before", "after", "global_dir"]

    public var relay: RelayEndpoint?
    public var before: [String] = []
    public var after: [String] = []
    public var globalDirectory: String?

    public init() {}

    mutating func apply(_ table: TOMLTable) throws {
        if let value = table["relay"] {
            guard let text = value.string else {
                throw ServerError.configuration("config [sieve] relay: expected a string like \"smtp://127.0.0.1:25\"")
            }
            do {
                relay = text.isEmpty ? nil : try RelayEndpoint(url: text)
            } catch {
                throw ServerError.configuration("config [sieve] relay: \(error)")
            }
        }
        if let value = table["before"] { before = try Self.paths(value, key: "before") }
        if let value = table["after"] { after = try Self.paths(value, key: "after") }
        if let value = table["global_dir"] {
            guard let text = value.string, !text.isEmpty else {
                throw ServerError.configuration("config [sieve] global_dir: expected a directory path")
            }
            globalDirectory = text
        }
    }

    private static func paths(_ value: any TOMLValueConvertible, key: String) throws -> [String] {
        if let text = value.string { return text.isEmpty ? [] : [text] }
        guard let array = value.array else {
            throw ServerError.configuration("config [sieve] \(key): expected a path or an array of paths")
        }
        return try array.map { item in
            guard let text = item.string, !text.isEmpty else {
                throw ServerError.configuration("config [sieve] \(key): expected a path or an array of paths")
            }
            return text
        }
    }
}
