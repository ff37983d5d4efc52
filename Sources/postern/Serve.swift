import Administration
import ArgumentParser
import Configuration
import Delivery
import Foundation
import Logging
import MailStore
import NIOConcurrencyHelpers
import NIOPosix
import PosternServer
import Prometheus
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the IMAP server.",
        discussion: """
            Listens for IMAPS (implicit TLS) on 0.0.0.0:993 and for IMAP with STARTTLS on 0.0.0.0:143 unless
            told otherwise. Each listener flag may repeat; 'off' disables that kind. Flags win over POSTERN_*
            environment variables, those over the config file (TOML: --config or POSTERN_CONFIG), the file
            over the defaults: 'postern config keys' lists every key. Port 0 picks a free port; the bound
            addresses are printed as 'listening: KIND HOST:PORT' lines, then 'ready'. SIGHUP reloads the
            configuration: log levels, connection limits and the TLS files change at once.
            """
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let configFile = options.config ?? ServeFlags.environmentConfigFile()
        let flags = try options.flagValues()
        let environment = ProcessInfo.processInfo.environment
        let result = Result { () throws(ConfigProblems) in
            try ConfigLayers.load(configFile: configFile, environment: environment, flags: flags)
        }
        let loaded: (settings: [ConfigSetting], configuration: ServerConfiguration)
        switch result {
        case .success(let value): loaded = value
        case .failure(let error): throw CommandFailure(message: ServeFlags.oneLine(error))
        }
        let configuration = loaded.configuration
        LogOutput.bootstrap(configuration.log)
        let logger = Logger(label: "server")
        // Only with the admin listener: without it every metric is swift-metrics' no-op.
        let registry = configuration.admin.listener == nil ? nil : AdminMetrics.bootstrap()
        MemoryTuning.returnLargeBuffersToTheSystem()
        let reload: ConfigReloader.Load = { () throws(ConfigProblems) in
            try ConfigLayers.load(configFile: configFile, environment: environment, flags: flags)
        }
        try await ServeRunner(
            configuration: configuration, logger: logger, registry: registry, settings: loaded.settings,
            reload: reload
        ).run()
    }
}

/// Opens the store, then runs the server and the store as a `ServiceGroup`: the server binds its
/// listeners, prepares the first start, prints the bound addresses and `ready`, and serves until
/// SIGINT or SIGTERM (graceful shutdown: see `IMAPServer.shutdown()`); the store closes after it.
struct ServeRunner {
    var configuration: ServerConfiguration
    var logger: Logger
    var registry: PrometheusCollectorRegistry?
    /// The effective configuration values, and how to read them again on SIGHUP.
    var settings: [ConfigSetting]
    var reload: ConfigReloader.Load

    /// The logger of one subsystem (`LogSettings.subsystems`): its label picks its level.
    static func logger(_ subsystem: String) -> Logger {
        Logger(label: subsystem)
    }

    func run() async throws {
        // Until the service group's signal sources are registered (before the listeners bind), SIGINT and
        // SIGTERM are ignored rather than fatal; the sources take them over from then on.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        // SIGHUP reloads the configuration and the TLS material: trapped from here on, so that none sent
        // after `ready` is lost.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let dataDirectory = configuration.dataDirectory
        let opened: OpenedStore
        let tlsSettings: TLSSettings
        let tls: TLSMaterial
        let isFirstStart: Bool
        let jwks: JWKSReloadService?
        let adminToken: AdminToken?
        do {
            adminToken = try configuration.admin.tokenFile.map { try AdminToken.read(path: $0) }
            try DurableFiles.makeDirectory(dataDirectory)
            isFirstStart = !FirstStart.isDone(dataDirectory)
            opened = try await StoreSetup.open(configuration: configuration, logger: Self.logger("store"))
            tlsSettings = try TLSSetup.settings(for: configuration)
            try TLSSetup.makeMissingSelfSigned(tlsSettings, hostName: configuration.hostName)
            tls = try TLSSetup.load(tlsSettings)
            jwks = try await configuration.oauth.load(logger: Self.logger("oauth"))
        } catch let error as ServerError {
            throw CommandFailure(message: error.description)
        } catch MailStoreError.unavailable {
            throw CommandFailure(
                message: "cannot reach the database of the mail store (\(configuration.store ?? ""))", status: 1)
        } catch {
            let place = configuration.store == nil ? "the data folder \(dataDirectory.path)" : "the mail store"
            throw CommandFailure(message: "cannot open \(place): \(error)", status: 1)
        }
        let store = opened.store
        let configuration = self.configuration
        let deliverer: Deliverer
        do {
            deliverer = try DeliverySetup.deliverer(
                configuration: configuration, store: store, logger: Self.logger("delivery"))
        } catch let error as ServerError {
            opened.close()
            throw CommandFailure(message: error.description, status: 1)
        }
        let lmtp = LMTPServer(
            settings: configuration.lmtp, dataDirectory: dataDirectory, deliverer: deliverer,
            group: MultiThreadedEventLoopGroup.singleton, logger: Self.logger("lmtp"))
        let lmtpBound: [LMTPServer.Bound]
        do {
            lmtpBound = try await lmtp.start()
        } catch let error as ServerError {
            opened.close()
            throw CommandFailure(message: error.description, status: 1)
        }
        let holder = TLSContextHolder(tls)
        let readiness = Readiness(
            store: opened.probe, tls: holder, certificateDays: configuration.admin.certificateDays)
        let adminPort = AdminPort()
        let notifier = SystemdNotifier()
        let manageSieveBound = NIOLockedValueBox<[ManageSieveServer.Bound]>([])
        let server = IMAPServer(
            configuration: configuration, store: store, authenticator: Authenticator(accounts: store),
            tls: holder, bearerVerifier: jwks?.file.verifier, group: MultiThreadedEventLoopGroup.singleton,
            logger: Self.logger("imap"), socketActivation: SocketActivation.fromEnvironment(),
            onListening: { bound in
                var adminBound: ListenerAddress?
                if var admin = configuration.admin.listener {
                    // Nil: it failed, and its error ends the service group.
                    guard let port = await adminPort.wait() else { return }
                    admin.port = port
                    adminBound = admin
                }
                try await Self.announce(
                    bound, lmtp: lmtpBound, manageSieve: manageSieveBound.withLockedValue { $0 }, admin: adminBound,
                    configuration: configuration,
                    store: store, tls: tls, selfSigned: tlsSettings.selfSignedCertificates,
                    isFirstStart: isFirstStart)
                readiness.markListening()
                notifier.notify("READY=1")
            })
        let manageSieve = ManageSieveServer(
            settings: configuration.manageSieve, imap: server, checker: SieveScriptCheckers.standard,
            group: MultiThreadedEventLoopGroup.singleton, logger: Self.logger("managesieve"))
        do {
            let bound = try await manageSieve.start()
            manageSieveBound.withLockedValue { $0 = bound }
        } catch let error as ServerError {
            opened.close()
            throw CommandFailure(message: error.description, status: 1)
        }
        let reloader = TLSReloader(settings: tlsSettings, holder: holder, hangups: nil, logger: Self.logger("tls"))
        let configReloader = ConfigReloader(
            settings: settings, hangups: hangups, server: server, tls: reloader, logger: Self.logger("server"),
            load: reload)
        var operations: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let registry {
            operations.append(
                .init(
                    service: AdminServer(
                        settings: configuration.admin, registry: registry, readiness: readiness,
                        api: AdminAPIRoutes(
                            token: adminToken, administration: AccountAdministration(store: store), sessions: server),
                        logger: Self.logger("admin"), onBound: { adminPort.bound($0) }),
                    serviceName: "admin listener"))
            operations.append(
                .init(
                    service: OperationsSampler(group: MultiThreadedEventLoopGroup.singleton, tls: holder),
                    serviceName: "operations sampler"))
        }
        if notifier.isEnabled {
            // Last: the first to hear of a shutdown, so systemd is told at once.
            operations.append(
                .init(
                    service: SystemdService(
                        notifier: notifier, watchdog: SystemdNotifier.watchdogInterval(), logger: logger),
                    serviceName: "systemd notifier"))
        }
        // The group registers its signal sources before it starts the server, so a signal right after
        // `ready` always leads to a graceful shutdown.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: opened.service, serviceName: "mail store"),
                    .init(
                        service: server, successTerminationBehavior: .gracefullyShutdownGroup,
                        serviceName: "IMAP server"),
                    .init(service: lmtp, serviceName: "LMTP server"),
                    .init(service: manageSieve, serviceName: "ManageSieve server"),
                ] + (jwks.map { [.init(service: $0, serviceName: "JWKS reload")] } ?? [])
                    // Late: among the first to stop at shutdown.
                    + [
                        .init(service: reloader, serviceName: "TLS reloader"),
                        .init(service: configReloader, serviceName: "configuration reloader"),
                    ] + operations,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch let error as ServerError {
            throw CommandFailure(message: error.description, status: 1)
        }
        logger.info("stopped")
    }

    /// Once the listeners are bound: the first start (its report names the ports really bound, as
    /// port 0 picks one), then the fingerprint, one `listening:` line per listener, and `ready`.
    private static func announce(
        _ bound: [IMAPServer.BoundListener], lmtp: [LMTPServer.Bound], manageSieve: [ManageSieveServer.Bound],
        admin: ListenerAddress?, configuration: ServerConfiguration, store: any MailStore & AccountStore,
        tls: TLSMaterial, selfSigned: [URL], isFirstStart: Bool
    ) async throws {
        let dataDirectory = configuration.dataDirectory
        var boundConfiguration = configuration
        boundConfiguration.listeners = bound.map { ListenerAddress(kind: $0.kind, host: $0.host, port: $0.port) }
        if isFirstStart {
            let outcome: FirstStart.Outcome
            do {
                outcome = try await FirstStart.prepare(store: store, configuration: boundConfiguration)
            } catch {
                throw CommandFailure(message: "cannot create the first account: \(error)", status: 1)
            }
            emit(outcome.report(dataDirectory: dataDirectory, certificates: selfSigned))
            // Only once the outcome is out: a start that ends before this does the first start again.
            do {
                try FirstStart.finish(dataDirectory)
            } catch {
                throw CommandFailure(
                    message: "cannot record the first start in \(dataDirectory.path): \(error)", status: 1)
            }
        }
        // The first certificate's line, then one per further certificate, named by its key.
        var out = "fingerprint: SHA256 \(tls.fingerprint)\n"
        for served in tls.served.dropFirst() {
            out += "fingerprint-\(served.kind.name): SHA256 \(served.fingerprint)\n"
        }
        out += boundConfiguration.listeners.map { "listening: \($0.kind.rawValue) \($0)\n" }.joined()
        out += manageSieve.map {
            "listening: \($0.kind.rawValue) \(ListenerAddress(kind: $0.kind, host: $0.host, port: $0.port))\n"
        }.joined()
        if let admin { out += "listening: admin \(admin)\n" }
        out += lmtp.map { "\($0.description)\n" }.joined() + "ready\n"
        emit(out)
    }

    private static func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
