import Logging
import TOMLKit

/// How the server logs: human lines or JSON objects, and a level per subsystem.
///
/// TOML keys: `log_level` (the default level), `log_format` ("human" or "json") and a `[log.levels]`
/// table naming a level per subsystem (`imap = "debug"`). Each subsystem is one logger label.
public struct LogSettings: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case human, json
    }

    static let tomlKeys: Set<String> = ["log_format", "log"]

    /// Every subsystem, as its loggers' label: the server's lifecycle, each protocol, the store,
    /// TLS material, delivery, OAuth keys and the admin listener.
    public static let subsystems = [
        "server", "imap", "lmtp", "managesieve", "store", "tls", "delivery", "oauth", "admin",
    ]

    public var format = Format.human
    public var level: Logger.Level = .info
    public var levels: [String: Logger.Level] = [:]

    public init() {}

    /// The level of a subsystem's logger (the default for a label that is not a subsystem).
    public func level(for label: String) -> Logger.Level {
        levels[label] ?? level
    }

    public static func parseFormat(_ text: String) throws -> Format {
        guard let format = Format(rawValue: text.lowercased()) else {
            throw ServerError.configuration("unknown log format '\(text)': use human or json")
        }
        return format
    }

    /// Sets one subsystem's level, e.g. from `--log-levels imap=debug`.
    public mutating func setLevel(_ level: String, for subsystem: String) throws {
        guard Self.subsystems.contains(subsystem) else {
            throw ServerError.configuration(
                "unknown log subsystem '\(subsystem)': use one of \(Self.subsystems.joined(separator: ", "))")
        }
        levels[subsystem] = try ServerConfiguration.parseLogLevel(level)
    }

    /// `SUBSYSTEM=LEVEL[,SUBSYSTEM=LEVEL...]`.
    public mutating func setLevels(_ text: String) throws {
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                throw ServerError.configuration("--log-levels '\(item)': expected SUBSYSTEM=LEVEL, e.g. imap=debug")
            }
            try setLevel(parts[1], for: parts[0])
        }
    }

    mutating func apply(_ table: TOMLTable, path: String) throws {
        if let value = table["log_format"] {
            guard let text = value.string else {
                throw ServerError.configuration("config log_format: expected a string")
            }
            format = try Self.parseFormat(text)
        }
        guard let value = table["log"] else { return }
        guard let log = value.table else {
            throw ServerError.configuration("config log: expected a table, e.g. [log.levels] imap = \"debug\"")
        }
        for key in log.keys where key != "levels" {
            throw ServerError.configuration("config file \(path): unknown key '\(key)' in [log]")
        }
        guard let levelsValue = log["levels"] else { return }
        guard let levels = levelsValue.table else {
            throw ServerError.configuration("config log.levels: expected a table, e.g. imap = \"debug\"")
        }
        for key in levels.keys {
            guard let text = levels[key]?.string else {
                throw ServerError.configuration("config log.levels.\(key): expected a level such as \"debug\"")
            }
            try setLevel(text, for: key)
        }
    }
}
