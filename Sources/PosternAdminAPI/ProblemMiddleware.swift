import Administration
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Answers every failure of an operation with a problem object (RFC 9457, `Problem` in openapi.yaml):
/// an `AdministrationError` with its status and words; a request the generated code could not read
/// (bad JSON, a missing field, a path parameter of the wrong type) with 400; anything else with 500 and
/// no detail beyond that.
struct ProblemMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            return Self.response(for: error)
        }
    }

    static func response(for error: ServerError) -> (HTTPResponse, HTTPBody?) {
        if let failure = error.underlyingError as? AdministrationError {
            return problem(status(of: failure.kind), failure.description)
        }
        if error.underlyingError is DecodingError || (400..<500).contains(error.httpStatus.code) {
            return problem(.badRequest, "the request does not match the API: \(error.causeDescription)")
        }
        return problem(.internalServerError, "the server failed to answer the request")
    }

    static func status(of kind: AdministrationError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .invalid: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .unavailable: .serviceUnavailable
        case .failed: .internalServerError
        }
    }

    /// A problem response: `status`, its reason phrase as title, `detail` as one line.
    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> (HTTPResponse, HTTPBody?) {
        let oneLine = detail.split(whereSeparator: \.isNewline).joined(separator: " ")
        let problem = Components.Schemas.Problem(status: status.code, title: status.reasonPhrase, detail: oneLine)
        let data = (try? JSONEncoder().encode(problem)) ?? Data()
        var response = HTTPResponse(status: status)
        response.headerFields[.contentType] = "application/problem+json"
        return (response, HTTPBody(data))
    }
}

/// The admin API's entry point for the server.
public enum AdminAPI {
    /// Registers the operations of openapi.yaml under `/api/v1` on `transport`.
    public static func register(
        on transport: any ServerTransport, administration: AccountAdministration, sessions: any SessionDirectory
    ) throws {
        let handler = AdminAPIHandler(administration: administration, sessions: sessions)
        try handler.registerHandlers(
            on: transport, serverURL: try Servers.Server1.url(), middlewares: [ProblemMiddleware()])
    }

    /// A problem response's JSON body, for the answers the server gives before an operation runs (401,
    /// the API switched off).
    public static func problemBody(status: Int, title: String, detail: String) -> Data {
        let problem = Components.Schemas.Problem(status: status, title: title, detail: detail)
        return (try? JSONEncoder().encode(problem)) ?? Data()
    }
}
