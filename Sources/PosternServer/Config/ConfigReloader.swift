import Configuration
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import UnixSignals

/// Reads the configuration again on SIGHUP and applies what can change while the server runs: log
/// levels and connection limits (`ConfigKeySpec.reloadable`); the TLS material is read again too
/// (`TLSReloader`). Each changed key is logged: applied, or waiting for a restart. A configuration
/// with problems is not applied at all: each problem is logged and the one in use stays.
public struct ConfigReloader: Service {
    public typealias Load =
        @Sendable () throws(ConfigProblems) -> (
            settings: [ConfigSetting], configuration: ServerConfiguration
        )

    let hangups: UnixSignalsSequence
    let load: Load
    let server: IMAPServer
    let tls: TLSReloader
    let logger: Logger
    /// The values in force: reloadable keys as last applied, the others as at start.
    private let running: NIOLockedValueBox<[String: ConfigSetting]>

    public init(
        settings: [ConfigSetting], hangups: UnixSignalsSequence, server: IMAPServer, tls: TLSReloader,
        logger: Logger, load: @escaping Load
    ) {
        self.hangups = hangups
        self.load = load
        self.server = server
        self.tls = tls
        self.logger = logger
        self.running = NIOLockedValueBox(Self.byName(settings))
    }

    public func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// One reload, as on SIGHUP.
    public func reload() {
        defer { tls.reload(force: true) }
        let loaded: (settings: [ConfigSetting], configuration: ServerConfiguration)
        switch Result(catching: load) {
        case .success(let value): loaded = value
        case .failure(let error):
            for problem in error.problems {
                logger.error("configuration not reloaded, the one in use stays: \(problem)")
            }
            return
        }
        let new = Self.byName(loaded.settings)
        running.withLockedValue { running in
            for name in Set(running.keys).union(new.keys).sorted() {
                let before = running[name]
                let after = new[name]
                guard before?.content != after?.content else { continue }
                let spec = (after ?? before)!.spec
                let shown = after?.shown ?? "(removed)"
                if spec.reloadable {
                    logger.notice(
                        "configuration reloaded: \(name) = \(shown)",
                        metadata: ["was": "\(before?.shown ?? "(none)")"])
                    running[name] = after
                } else {
                    logger.warning("configuration: \(name) = \(shown) needs a restart to apply")
                }
            }
        }
        LogOutput.update(loaded.configuration.log)
        server.limits.updateLimits(loaded.configuration.connectionPolicy)
    }

    private static func byName(_ settings: [ConfigSetting]) -> [String: ConfigSetting] {
        Dictionary(settings.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }
}
