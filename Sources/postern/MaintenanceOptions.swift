import ArgumentParser
import Foundation
import MailStoreSQLite
import PosternServer

/// Where `backup` and `check` find the store: the data folder (flag, environment, config file), or a
/// `postgresql://` store they refuse with a pointer to the database's own tools.
struct StoreLocationOptions: ParsableArguments {
    @OptionGroup var data: DataDirectoryOption

    @Option(help: "The store, when not the data folder (a postgresql:// store is refused: use its own tools).")
    var store: String?

    @Option(help: "The server's TOML config file (for data_dir and store).")
    var config: String?

    /// The data folder of the embedded store; `command` names the command in the PostgreSQL refusal.
    func embeddedDataFolder(command: String) throws -> URL {
        var configuration = ServerConfiguration(dataDirectory: data.resolve())
        if let config {
            do {
                try configuration.apply(tomlFile: config)
            } catch let error as ServerError {
                throw CommandFailure(message: error.description)
            }
            configuration.dataDirectory = data.resolve(fallback: configuration.dataDirectory)
        }
        if let store { configuration.store = store }
        if let store = configuration.store, !store.isEmpty {
            throw CommandFailure(
                message:
                    "'\(command)' works on the embedded store (a data folder); for a PostgreSQL store use "
                    + "PostgreSQL's own tools (pg_dump, pg_basebackup, amcheck)")
        }
        return configuration.dataDirectory
    }
}

/// Runs a maintenance step, turning its errors into one-line CLI failures (bad input: status 2,
/// anything else: 1).
func maintenance<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as MaintenanceError {
        switch error {
        case .input(let message): throw CommandFailure(message: message, status: 2)
        case .io(let message): throw CommandFailure(message: message, status: 1)
        }
    }
}

/// Progress lines on standard error, prefixed with the command.
func progressPrinter(_ command: String) -> (String) -> Void {
    { line in FileHandle.standardError.write(Data("postern: \(command): \(line)\n".utf8)) }
}
