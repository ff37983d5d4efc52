import Delivery
import Foundation
import Logging
import MailRelay
import MailStore
import Sieve

/// The one way `serve` (LMTP) and `postern deliver` build their deliverer: recipient rules, the size
/// limit, and Sieve at delivery (the global scripts compiled now, the relay for redirects and replies).
public enum DeliverySetup {
    /// Throws a one-line `ServerError` when a global script cannot be read or does not compile.
    public static func deliverer(
        configuration: ServerConfiguration, store: any MailStore & AccountStore, logger: Logger
    ) throws -> Deliverer {
        let sieve = configuration.sieve
        let globals = SieveFilter.GlobalScripts(
            before: try sieve.before.map { try compile($0, key: "before", sieve) },
            after: try sieve.after.map { try compile($0, key: "after", sieve) })
        let filter = SieveFilter(
            store: store, globals: globals, globalDirectory: sieve.globalDirectory, spamtest: sieve.spamtest,
            virustest: sieve.virustest, hostName: configuration.hostName, logger: logger)
        return Deliverer(
            store: store, accounts: store, rules: configuration.lmtp.rules, hostName: configuration.hostName,
            maxMessageSize: configuration.maxMessageSize, logger: logger, filter: filter,
            relay: sieve.relay.map { SMTPRelay(endpoint: $0, heloName: configuration.hostName) })
    }

    /// A global script: its includes come from `global_dir` only.
    static func compile(_ path: String, key: String, _ settings: SieveSettings) throws -> SieveProgram {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerError.configuration("config sieve.\(key): cannot read \(path)")
        }
        let directory = settings.globalDirectory
        do {
            return try Sieve.compile(
                source: [UInt8](data),
                includeResolver: { name, _ in directory.flatMap { SieveFilter.scriptFile(named: name, in: $0) } })
        } catch {
            throw ServerError.configuration(
                "config sieve.\(key): \(path):\(error.line):\(error.column): \(error.message)")
        }
    }
}
