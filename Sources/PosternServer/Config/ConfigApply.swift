import Configuration
import Foundation
import TOMLKit

/// From effective values to a `ServerConfiguration`: each value is handed to the settings type that owns
/// it as a TOML value (the same code reads the file, the environment and the flags), first alone, so
/// that what is wrong with it is reported with its place, then all together, with the checks of how
/// keys combine.
extension ConfigLayers {
    /// The data folder when nothing names one.
    public static let defaultDataDirectory = "postern-data"

    /// Reads the file (if any), the environment and the flags: every key's effective value and the
    /// server configuration, or every problem found.
    public static func load(
        configFile: String?, environment: [String: String], flags: [String: (ConfigContent, String)] = [:]
    ) throws(ConfigProblems) -> (settings: [ConfigSetting], configuration: ServerConfiguration) {
        var file: TOMLFileProvider?
        if let configFile {
            do {
                file = try TOMLFileProvider(path: configFile)
            } catch {
                let problem = error as? ConfigProblem ?? ConfigProblem(place: configFile, key: nil, message: "\(error)")
                throw ConfigProblems(problems: [problem])
            }
        }
        let layers = ConfigLayers(file: file, environment: environment, flags: flags)
        let (settings, problems) = layers.resolve()
        guard problems.isEmpty else {
            throw ConfigProblems(problems: (problems + check(settings)).sorted(by: ConfigProblem.inFileOrder))
        }
        return (settings, try configuration(settings))
    }

    /// What is wrong with each value alone.
    static func check(_ settings: [ConfigSetting]) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for setting in settings {
            guard let content = setting.content else { continue }
            // A number out of range is told as the key's range; a word the settings type refuses, with
            // the words it takes.
            let checkedFirst = setting.spec.type.isNumeric
            if checkedFirst, let message = setting.spec.type.check(content) {
                problems.append(ConfigProblem(origin: setting.origin, key: setting.name, message: message))
                continue
            }
            var probe = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "."))
            do {
                try probe.apply(table: table([setting]), source: setting.origin.description)
            } catch {
                let message = Self.message(error)
                let key = message.contains(setting.name) ? nil : setting.name
                problems.append(ConfigProblem(origin: setting.origin, key: key, message: message))
                continue
            }
            if !checkedFirst, let message = setting.spec.type.check(content) {
                problems.append(ConfigProblem(origin: setting.origin, key: setting.name, message: message))
            }
        }
        return problems
    }

    /// The server configuration of `settings`, or every problem found.
    public static func configuration(_ settings: [ConfigSetting]) throws(ConfigProblems) -> ServerConfiguration {
        let problems = check(settings)
        guard problems.isEmpty else { throw ConfigProblems(problems: problems) }
        let present = settings.filter { $0.content != nil }
        let dataDirectory = present.first { $0.name == "data_dir" }?.content.flatMap {
            if case .string(let path) = $0 { return path } else { return nil }
        }
        var configuration = ServerConfiguration(
            dataDirectory: URL(fileURLWithPath: dataDirectory ?? defaultDataDirectory))
        do {
            try configuration.apply(table: table(present), source: "config")
            try configuration.validateCombination()
        } catch {
            throw ConfigProblems(problems: [ConfigProblem(place: nil, key: nil, message: Self.message(error))])
        }
        return configuration
    }

    /// A settings error's message.
    static func message(_ error: any Error) -> String {
        (error as? ServerError)?.description ?? "\(error)"
    }

    /// The TOML table holding `settings` (dotted names as nested tables; an alias's name may hold dots
    /// of its own: `aliases.info@example.com`).
    static func table(_ settings: [ConfigSetting]) -> TOMLTable {
        let values = settings.compactMap { setting in setting.content.map { (setting.name, $0) } }
        let aliasPrefix = "aliases."
        let table = nested(values.filter { !$0.0.hasPrefix(aliasPrefix) })
        var aliases: [String: any TOMLValueConvertible] = [:]
        for (name, content) in values where name.hasPrefix(aliasPrefix) {
            aliases[String(name.dropFirst(aliasPrefix.count))] = tomlValue(content)
        }
        if !aliases.isEmpty { table["aliases"] = TOMLTable(aliases) }
        return table
    }

    private static func nested(_ values: [(String, ConfigContent)]) -> TOMLTable {
        var top: [String: any TOMLValueConvertible] = [:]
        var inner: [String: [(String, ConfigContent)]] = [:]
        for (name, content) in values {
            if let dot = name.firstIndex(of: ".") {
                inner[String(name[..<dot]), default: []].append((String(name[name.index(after: dot)...]), content))
            } else if let value = tomlValue(content) {
                top[name] = value
            }
        }
        for (name, values) in inner { top[name] = nested(values) }
        return TOMLTable(top)
    }

    private static func tomlValue(_ content: ConfigContent) -> (any TOMLValueConvertible)? {
        switch content {
        case .string(let text): text
        case .int(let number): number
        case .double(let number): number
        case .bool(let flag): flag
        case .stringArray(let items): TOMLArray(items)
        case .intArray(let items): TOMLArray(items)
        default: nil
        }
    }
}

extension ServerConfiguration {
    /// The checks of how keys combine, made once every key is applied.
    public func validateCombination() throws {
        _ = try oauth.policy()
        try lmtp.validate()
        try admin.validate()
        try proxy.validate(against: listeners)
        if listeners.isEmpty {
            throw ServerError.configuration("every listener is off: enable --imaps or --imap")
        }
    }
}
