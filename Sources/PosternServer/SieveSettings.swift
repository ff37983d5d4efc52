import Foundation
import MailRelay
import Sieve
import TOMLKit

/// The `[sieve]` table of the config file: Sieve at delivery.
///
/// TOML keys: `relay` (`smtp://HOST[:PORT]`, where redirects and vacation replies are handed over; without
/// it both are skipped and logged), `before` and `after` (paths of global scripts run before and after each
/// account's own, a string or an array, in order; Pigeonhole's `sieve_before`/`sieve_after`), `global_dir`
/// (where `include :global "NAME"` reads `NAME.sieve`), and how spamtest and virustest read their headers
/// (RFC 5235): `spamtest_header` (e.g. "X-Spam-Score"), `spamtest_type` (score, strlen or text; default
/// score), `spamtest_max` (the score or length that means certainly spam; default 10), and the same three
/// with `virustest_`. A test whose header is not set reads "0" (not tested).
public struct SieveSettings: Sendable, Equatable {
    static let tomlKeys: Set<String> = [
        "relay", "before", "after", "global_dir", "spamtest_header", "spamtest_type", "spamtest_max",
        "virustest_header", "virustest_type", "virustest_max",
    ]

    public var relay: RelayEndpoint?
    public var before: [String] = []
    public var after: [String] = []
    public var globalDirectory: String?
    public var spamtest: SieveTestHeaderSettings?
    public var virustest: SieveTestHeaderSettings?

    public init() {}

    /// The `[sieve]` table of the config file at `path` (the defaults without one); the rest of the file
    /// is checked as `serve` checks it.
    public static func load(tomlFile path: String) throws -> SieveSettings {
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "."))
        try configuration.apply(tomlFile: path)
        return configuration.sieve
    }

    mutating func apply(_ table: TOMLTable) throws {
        if let value = table["relay"] {
            guard let text = value.string else {
                throw ServerError.configuration("config sieve.relay: expected a string like \"smtp://127.0.0.1:25\"")
            }
            do {
                relay = text.isEmpty ? nil : try RelayEndpoint(url: text)
            } catch {
                throw ServerError.configuration("config sieve.relay: \(error)")
            }
        }
        if let value = table["before"] { before = try Self.paths(value, key: "before") }
        if let value = table["after"] { after = try Self.paths(value, key: "after") }
        if let value = table["global_dir"] {
            guard let text = value.string, !text.isEmpty else {
                throw ServerError.configuration("config sieve.global_dir: expected a directory path")
            }
            globalDirectory = text
        }
        spamtest = try Self.header(table, "spamtest")
        virustest = try Self.header(table, "virustest")
    }

    private static func paths(_ value: any TOMLValueConvertible, key: String) throws -> [String] {
        if let text = value.string { return text.isEmpty ? [] : [text] }
        guard let array = value.array else {
            throw ServerError.configuration("config sieve.\(key): expected a path or an array of paths")
        }
        return try array.map { item in
            guard let text = item.string, !text.isEmpty else {
                throw ServerError.configuration("config sieve.\(key): expected a path or an array of paths")
            }
            return text
        }
    }

    private static func header(_ table: TOMLTable, _ prefix: String) throws -> SieveTestHeaderSettings? {
        guard let value = table["\(prefix)_header"] else { return nil }
        guard let header = value.string, !header.isEmpty, header.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != 58 })
        else {
            throw ServerError.configuration("config sieve.\(prefix)_header: expected a header field name")
        }
        var kind = SieveTestHeaderSettings.Kind.score
        if let value = table["\(prefix)_type"] {
            guard let text = value.string, let k = SieveTestHeaderSettings.Kind(rawValue: text) else {
                throw ServerError.configuration(
                    "config sieve.\(prefix)_type: expected \"score\", \"strlen\" or \"text\"")
            }
            kind = k
        }
        var maxValue = 10.0
        if let value = table["\(prefix)_max"] {
            guard let number = value.double ?? value.int.map(Double.init), number > 0 else {
                throw ServerError.configuration("config sieve.\(prefix)_max: expected a positive number")
            }
            maxValue = number
        }
        return SieveTestHeaderSettings(header: header, kind: kind, maxValue: maxValue)
    }
}
