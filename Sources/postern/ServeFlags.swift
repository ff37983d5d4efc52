import Foundation
import PosternServer

/// How `serve` and `config` read what is not a configuration key: where the file is, and the
/// `--log-levels` list.
enum ServeFlags {
    /// The environment variable naming the config file when `--config` does not.
    static let configFileVariable = "POSTERN_CONFIG"

    static func environmentConfigFile() -> String? {
        guard let path = ProcessInfo.processInfo.environment[configFileVariable], !path.isEmpty else { return nil }
        return path
    }

    /// `SUBSYSTEM=LEVEL[,SUBSYSTEM=LEVEL...]` as pairs; the subsystem and level are checked as keys.
    static func levels(_ text: String) throws -> [(String, String)] {
        try text.split(separator: ",").map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                throw ServerError.configuration("--log-levels '\(item)': expected SUBSYSTEM=LEVEL, e.g. imap=debug")
            }
            guard LogSettings.subsystems.contains(parts[0]) else {
                throw ServerError.configuration(
                    "unknown log subsystem '\(parts[0])': use one of \(LogSettings.subsystems.joined(separator: ", "))")
            }
            return (parts[0], parts[1])
        }
    }

    /// The first problem on one line, with a pointer to the rest.
    static func oneLine(_ problems: ConfigProblems) -> String {
        guard let first = problems.problems.first else { return "invalid configuration" }
        let more = problems.problems.count - 1
        return more == 0 ? first.description : "\(first.description) (\(more) more: see 'postern config check')"
    }
}
