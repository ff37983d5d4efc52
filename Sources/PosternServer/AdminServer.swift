import Defences
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Telemetry

/// The admin listener (HTTP, Hummingbird): `/metrics` (Prometheus text exposition), `/health/live`
/// (the process answers) and `/health/ready` (`Readiness`: 200 when every check passes, 503 with
/// the failed checks otherwise; the body is JSON either way) and the admin API under `/api/v1`
/// (`AdminAPIRoutes`). Clients outside loopback and `admin_allow` get 403.
public struct AdminServer: Service {
    let settings: AdminSettings
    let registry: PrometheusCollectorRegistry
    let readiness: Readiness
    let api: AdminAPIRoutes
    let logger: Logger
    /// Called with the bound port once the listener is up, or nil when it could not start.
    let onBound: @Sendable (Int?) -> Void

    public init(
        settings: AdminSettings, registry: PrometheusCollectorRegistry, readiness: Readiness, api: AdminAPIRoutes,
        logger: Logger, onBound: @escaping @Sendable (Int?) -> Void
    ) {
        self.settings = settings
        self.registry = registry
        self.readiness = readiness
        self.api = api
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        guard let listener = settings.listener else { return }
        Telemetry.prepare()
        let onBound = self.onBound
        let readiness = self.readiness
        let application = Application(
            router: try makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(listener.host, port: listener.port)),
            onServerRunning: { channel in onBound(channel.localAddress?.port ?? listener.port) },
            logger: logger)
        do {
            try await withGracefulShutdownHandler {
                try await application.run()
            } onGracefulShutdown: {
                readiness.markStopping()
            }
        } catch {
            onBound(nil)
            throw ServerError.bind(IMAPServer.explainBindError(error, address: listener))
        }
    }

    func makeRouter() throws -> Router<AdminRequestContext> {
        let router = Router(context: AdminRequestContext.self)
        router.add(middleware: AllowListMiddleware(settings: settings))
        try api.add(to: router)
        let registry = self.registry
        let readiness = self.readiness
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/health/live") { _, _ in
            Self.json(.ok, ["status": "live"])
        }
        router.get("/health/ready") { _, _ in
            let checks = await readiness.check()
            let failed = checks.filter { !$0.ok }
            let body = HealthBody(
                status: failed.isEmpty ? "ready" : "not ready", failed: failed.map(\.name), checks: checks)
            let data = (try? JSONEncoder().encode(body)) ?? Data("{}".utf8)
            return Response(
                status: failed.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    struct HealthBody: Codable {
        var status: String
        var failed: [String]
        var checks: [Readiness.Check]
    }

    static func json(_ status: HTTPResponse.Status, _ body: [String: String]) -> Response {
        let data = (try? JSONEncoder().encode(body)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A request's context: Hummingbird's, and the client's address for the allow-list.
public struct AdminRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// 403 for a client outside loopback and `admin_allow`.
struct AllowListMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext
    let settings: AdminSettings

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let address = context.remoteAddress?.ipAddress.flatMap(ClientAddress.init)
        guard settings.allows(address) else {
            return AdminServer.json(.forbidden, ["error": "this address may not use the admin listener"])
        }
        return try await next(request, context)
    }
}
