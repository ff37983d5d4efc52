import Foundation
import Sieve
import TOMLKit

/// The `[sieve]` table of the config file: how spamtest and virustest read their headers (RFC 5235).
///
/// TOML keys: `spamtest_header` (e.g. "X-Spam-Score"), `spamtest_type` (score, strlen or text; default
/// score), `spamtest_max` (the score or length that means certainly spam; default 10), and the same three
/// with `virustest_`. A test whose header is not set reads "0" (not tested).
public struct SieveSettings: Sendable, Equatable {
    static let tomlKeys: Set<String> = [
        "spamtest_header", "spamtest_type", "spamtest_max", "virustest_header", "virustest_type", "virustest_max",
    ]

    public var spamtest: SieveTestHeaderSettings?
    public var virustest: SieveTestHeaderSettings?

    public init() {}

    /// Reads the `[sieve]` table of the TOML file at `path` (an absent table gives the defaults).
    public static func load(tomlFile path: String) throws -> SieveSettings {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ServerError.configuration("cannot read config file \(path): \(error.localizedDescription)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch {
            throw ServerError.configuration("config file \(path) is not valid TOML: \(error)")
        }
        var settings = SieveSettings()
        guard let value = table["sieve"] else { return settings }
        guard let sieve = value.table else { throw ServerError.configuration("config sieve: expected a table") }
        try settings.apply(sieve)
        return settings
    }

    mutating func apply(_ table: TOMLTable) throws {
        spamtest = try Self.header(table, "spamtest")
        virustest = try Self.header(table, "virustest")
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
