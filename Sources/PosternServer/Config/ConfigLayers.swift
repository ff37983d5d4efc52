import Configuration
import Foundation
import TOMLKit

/// The one configuration layer of `postern serve`: command-line flags, then `POSTERN_*` environment
/// variables, then the TOML file, then the defaults (the first that sets a key wins). Each source is a
/// swift-configuration provider; every key of `ConfigKeys.all` is looked up in each in that order, its
/// value checked against the key's type, then applied to a `ServerConfiguration` by the settings types
/// (`LMTPSettings`, `AdminSettings`, ...), which check what the value means.
public struct ConfigLayers: Sendable {
    public let file: TOMLFileProvider?
    let environment: EnvironmentVariablesProvider
    let flags: InMemoryProvider
    /// The flag that set each key (`--log-level`), for `config show` and errors.
    let flagNames: [String: String]

    /// - Parameters:
    ///   - file: the parsed config file, if any.
    ///   - environment: the process environment (only `POSTERN_*` variables with a value are read).
    ///   - flags: key name to the flag's value and the flag's spelling, e.g.
    ///     `"log_level": (.string("debug"), "--log-level")`.
    public init(
        file: TOMLFileProvider?, environment: [String: String], flags: [String: (ConfigContent, String)] = [:]
    ) {
        self.file = file
        let secrets = Set(ConfigKeys.all.filter(\.secret).compactMap(\.environmentName))
        self.environment = EnvironmentVariablesProvider(
            environmentVariables: environment.filter { $0.key.hasPrefix("POSTERN_") && !$0.value.isEmpty },
            secretsSpecifier: .specific(secrets))
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (name, (content, _)) in flags {
            let secret = ConfigKeys.spec(name)?.secret ?? false
            values[Self.key(name)] = ConfigValue(content, isSecret: secret)
        }
        self.flags = InMemoryProvider(name: "flags", values: values)
        self.flagNames = flags.mapValues(\.1)
    }

    static func key(_ name: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(name.split(separator: ".").map(String.init))
    }

    /// Every key's effective value and origin, and every problem found (empty when the configuration
    /// is valid as far as single keys go; `configuration(dataDirectory:)` checks how keys combine).
    public func resolve() -> (settings: [ConfigSetting], problems: [ConfigProblem]) {
        var settings: [ConfigSetting] = []
        var problems: [ConfigProblem] = []
        for spec in ConfigKeys.all where spec.type != .table {
            let (setting, problem) = lookup(spec)
            settings.append(setting)
            if let problem { problems.append(problem) }
        }
        guard let file else { return (settings, problems) }
        let aliases = ConfigKeys.spec("aliases")!
        for name in file.entries.keys.sorted() {
            let entry = file.entries[name]!
            let origin = ConfigOrigin.file(path: file.path, line: file.line(of: name))
            if name.hasPrefix("aliases.") {
                switch entry.content {
                case .string, .stringArray:
                    settings.append(ConfigSetting(spec: aliases, name: name, content: entry.content, origin: origin))
                default:
                    problems.append(
                        ConfigProblem(origin: origin, key: name, message: "expected an account or an array of accounts")
                    )
                }
            } else if ConfigKeys.spec(name) == nil {
                problems.append(Self.unknown(name, origin: origin))
            }
        }
        problems.sort(by: ConfigProblem.inFileOrder)
        return (settings, problems)
    }

    /// A key of the file that is none of `ConfigKeys.all`.
    static func unknown(_ name: String, origin: ConfigOrigin) -> ConfigProblem {
        if ConfigKeys.tables.contains(name) || name == "aliases" {
            return ConfigProblem(origin: origin, key: name, message: "expected a table")
        }
        let subsystemPrefix = "log.levels."
        if name.hasPrefix(subsystemPrefix) {
            let subsystem = name.dropFirst(subsystemPrefix.count)
            return ConfigProblem(
                origin: origin, key: nil,
                message:
                    "unknown log subsystem '\(subsystem)': use one of \(LogSettings.subsystems.joined(separator: ", "))"
            )
        }
        guard let dot = name.lastIndex(of: ".") else {
            return ConfigProblem(origin: origin, key: nil, message: "unknown key '\(name)'")
        }
        return ConfigProblem(
            origin: origin, key: nil,
            message: "unknown key '\(name[name.index(after: dot)...])' in [\(name[..<dot])]")
    }

    /// The first source that sets `spec`, checked against its type.
    private func lookup(_ spec: ConfigKeySpec) -> (ConfigSetting, ConfigProblem?) {
        let type = spec.type.requested
        let key = Self.key(spec.name)
        var sources: [(any ConfigProvider, AbsoluteConfigKey, ConfigOrigin)] = [
            (flags, key, .flag(flagNames[spec.name] ?? spec.name))
        ]
        if let envName = spec.environmentName {
            sources.append((environment, key.prepending(["postern"]), .environment(envName)))
        }
        if let file { sources.append((file, key, .file(path: file.path, line: file.line(of: spec.name)))) }
        for (provider, key, origin) in sources {
            let content: ConfigContent
            do {
                guard let value = try provider.value(forKey: key, type: type).value else { continue }
                content = value.content
            } catch {
                let setting = ConfigSetting(spec: spec, name: spec.name, content: nil, origin: origin)
                return (setting, ConfigProblem(origin: origin, key: spec.name, message: spec.type.expectation))
            }
            return (ConfigSetting(spec: spec, name: spec.name, content: content, origin: origin), nil)
        }
        return (ConfigSetting(spec: spec, name: spec.name, content: nil, origin: .defaultValue), nil)
    }
}

extension ConfigValueType {
    var isNumeric: Bool {
        switch self {
        case .integer, .number: true
        default: false
        }
    }

    /// The provider type a key of this type is looked up as.
    var requested: ConfigType {
        switch self {
        case .integer: .int
        case .number: .double
        case .bool: .bool
        case .listeners, .networks, .strings, .stringOrStrings: .stringArray
        case .string, .path, .size, .choice, .listener, .table: .string
        }
    }

    /// What is wrong with a value of the right type (a number out of range, a word not among the
    /// choices), or nil. Checked after the settings type took the value, whose message, when it has
    /// one, says more.
    func check(_ content: ConfigContent) -> String? {
        switch (self, content) {
        case (.integer(let range), .int(let number)):
            return range.contains(number) ? nil : expectation
        case (.number, .double(let number)):
            return number > 0 ? nil : expectation
        case (.choice(let words), .string(let text)):
            return words.contains(text.lowercased()) ? nil : expectation
        default:
            return nil
        }
    }
}
