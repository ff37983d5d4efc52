import ArgumentParser
import Foundation
import PosternServer

/// `postern config`: the configuration keys, a check of a config file, and the effective values.
struct ConfigGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "List the configuration keys, check a config file, show the effective configuration.",
        discussion: """
            Each key is read from the first of: a flag of 'serve', a POSTERN_* environment variable (the key \
            in capitals, dots as underscores: POSTERN_LOG_LEVELS_IMAP), the TOML file (--config or \
            POSTERN_CONFIG), the default.
            """,
        subcommands: [ConfigKeysCommand.self, ConfigCheck.self, ConfigShow.self]
    )
}

struct ConfigKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Print every configuration key: type, default, SIGHUP reload, meaning.")

    func run() {
        var rows = [["KEY", "TYPE", "DEFAULT", "SIGHUP", "DESCRIPTION"]]
        for spec in ConfigKeys.all {
            rows.append([
                spec.name, spec.type.name, spec.defaultValue.isEmpty ? "-" : spec.defaultValue,
                spec.reloadable ? "reload" : "restart", spec.summary,
            ])
        }
        print(ConfigTable.render(rows), terminator: "")
    }
}

struct ConfigCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a config file (and the POSTERN_* environment) as 'serve' would read it.",
        discussion: "Exit status 0: valid; 1: invalid, with every problem on its own line.")

    @Argument(help: "The TOML file (default: $POSTERN_CONFIG).")
    var file: String?

    func run() throws {
        guard let path = file ?? ServeFlags.environmentConfigFile() else {
            throw CommandFailure(message: "config check: name a FILE or set \(ServeFlags.configFileVariable)")
        }
        let result = Result { () throws(ConfigProblems) in
            try ConfigLayers.load(configFile: path, environment: ProcessInfo.processInfo.environment)
        }
        if case .failure(let error) = result {
            for problem in error.problems { printError(problem.description) }
            printError("\(path): \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s")")
            throw ExitCode(1)
        }
        print("\(path): valid")
    }
}

struct ConfigShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the effective configuration of 'serve' with these flags: each value and where it came from.",
        discussion: "Secrets are masked. Exit status 1 when the configuration is invalid.")

    @OptionGroup var options: ServeOptions

    func run() throws {
        let configFile = options.config ?? ServeFlags.environmentConfigFile()
        let flags = try options.flagValues()
        let result = Result { () throws(ConfigProblems) in
            try ConfigLayers.load(
                configFile: configFile, environment: ProcessInfo.processInfo.environment, flags: flags)
        }
        let settings: [ConfigSetting]
        switch result {
        case .success(let loaded): settings = loaded.settings
        case .failure(let error):
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(1)
        }
        var rows = [["KEY", "VALUE", "FROM"]]
        for setting in settings {
            rows.append([setting.name, setting.shown, setting.origin.description])
        }
        print(ConfigTable.render(rows), terminator: "")
    }
}

/// Columns padded to their widest cell; the last column is not padded.
enum ConfigTable {
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() where index < columns - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        var out = ""
        for row in rows {
            for (index, cell) in row.enumerated() {
                out +=
                    index == row.count - 1
                    ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }
            out += "\n"
        }
        return out
    }
}
