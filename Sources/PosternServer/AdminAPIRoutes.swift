import Administration
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIHummingbird
import PosternAdminAPI

/// The admin API on the admin listener: the operations of PosternAdminAPI's openapi.yaml under
/// `/api/v1`, each behind the bearer token of `admin_token_file`. Without a token file the API is off
/// and every `/api/` path answers 404 saying so; `/metrics` and `/health` are the same either way.
public struct AdminAPIRoutes: Sendable {
    /// The bounds of an API request.
    public enum Limits {
        /// The largest request body read, in bytes (the largest valid one is a few hundred).
        public static let maxRequestBytes = 64 * 1024
    }

    static let prefix = "/api/"

    let token: AdminToken?
    let administration: AccountAdministration
    let sessions: any SessionDirectory

    /// The API served with `token` (nil: off), acting on `administration` and `sessions`.
    public init(token: AdminToken?, administration: AccountAdministration, sessions: any SessionDirectory) {
        self.token = token
        self.administration = administration
        self.sessions = sessions
    }

    func add(to router: Router<AdminRequestContext>) throws {
        router.add(middleware: BearerTokenMiddleware(token: token))
        guard token != nil else { return }
        try AdminAPI.register(on: router, administration: administration, sessions: sessions)
    }

    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        let body = AdminAPI.problemBody(status: status.code, title: status.reasonPhrase, detail: detail)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// In front of every `/api/` path: 404 while the API is off, 401 without the right bearer token, 413
/// for a body over `AdminAPIRoutes.Limits.maxRequestBytes`. The token is never logged.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext
    let token: AdminToken?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.uri.path.hasPrefix(AdminAPIRoutes.prefix) else { return try await next(request, context) }
        guard let token else {
            return AdminAPIRoutes.problem(.notFound, "the admin API is off: set admin_token_file to turn it on")
        }
        guard token.accepts(authorization: request.headers[.authorization]) else {
            return AdminAPIRoutes.problem(.unauthorized, "a bearer token from admin_token_file is needed")
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: AdminAPIRoutes.Limits.maxRequestBytes)
        } catch {
            return AdminAPIRoutes.problem(
                .contentTooLarge, "the request body is larger than \(AdminAPIRoutes.Limits.maxRequestBytes) bytes")
        }
        return try await next(request, context)
    }
}
