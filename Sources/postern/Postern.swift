import ArgumentParser
import Foundation

/// `postern`: the command line. Wrong input gives a one-line error on standard error and exit status 2.
@main
struct Postern: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postern",
        abstract: "Postern: an IMAP mail-access server (IMAPS and STARTTLS) with an embedded store.",
        discussion: """
            Start with 'postern serve': on first start it makes a data folder (./postern-data unless
            --data-dir or POSTERN_DATA_DIR says otherwise), a self-signed TLS certificate and, unless
            the folder already has accounts, a first account 'postmaster' whose password it prints once.
            """,
        subcommands: [
            Serve.self, User.self, Deliver.self, Import.self, Export.self, Migrate.self, SieveGroup.self,
            BackupGroup.self, Restore.self, Check.self, StoreGroup.self, IndexGroup.self, ConfigGroup.self,
        ]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            if let status = error as? ExitCode {
                // The command already said why (a summary, lines of what went wrong).
                Foundation.exit(status.rawValue)
            }
            if let failure = error as? CommandFailure {
                printError(failure.message)
                Foundation.exit(failure.status)
            }
            let message =
                fullMessage(for: error)
                .split(separator: "\n", omittingEmptySubsequences: true)
                .first { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See") }
                .map(String.init) ?? "\(error)"
            let trimmed = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
            printError("\(trimmed) (see 'postern --help')")
            // An MTA reads `deliver`'s status as sysexits: a usage error is EX_USAGE there.
            Foundation.exit(CommandLine.arguments.dropFirst().first == "deliver" ? Deliver.Status.usage : 2)
        }
    }
}

/// An error the user can act on: printed as one line, with its exit status.
struct CommandFailure: Error {
    var message: String
    var status: Int32 = 2
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("postern: \(message)\n".utf8))
}

/// The data folder option of `serve` (the other commands take `StoreOptions`).
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .long, help: "The data folder (default: $POSTERN_DATA_DIR, else ./postern-data).")
    var dataDir: String?

    /// Flag, then environment, then `fallback` (from a config file), then ./postern-data.
    func resolve(fallback: URL? = nil) -> URL {
        Self.resolve(dataDir, fallback: fallback)
    }

    /// `flag`, then the environment, then `fallback`, then ./postern-data.
    static func resolve(_ flag: String?, fallback: URL?) -> URL {
        if let dataDir = flag { return URL(fileURLWithPath: dataDir) }
        if let env = ProcessInfo.processInfo.environment["POSTERN_DATA_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        if let fallback { return fallback }
        return URL(fileURLWithPath: "postern-data")
    }
}
