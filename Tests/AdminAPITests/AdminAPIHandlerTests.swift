import Administration
import Foundation
import HTTPTypes
import MailStore
import MailStoreMemory
import OpenAPIRuntime
import Synchronization
import Testing

@testable import PosternAdminAPI

/// The API's operations on the memory store, called as the generated server calls them, and the
/// problem answers of their failures.
@Suite struct AdminAPIHandlerTests {
    let store: MemoryMailStore
    let sessions = FakeSessions()
    let handler: AdminAPIHandler

    init() throws {
        store = try MemoryMailStore()
        handler = AdminAPIHandler(administration: AccountAdministration(store: store), sessions: sessions)
    }

    @Test func accountLifecycle() async throws {
        let created = try await handler.createAccount(.init(body: .json(.init(name: "alice")))).created.body.json
        #expect(created.name == "alice" && created.password?.count == 20)
        let given = try await handler.createAccount(.init(body: .json(.init(name: "bob", password: "bob-password"))))
        #expect(try given.created.body.json.password == nil)
        let listed = try await handler.listAccounts(.init()).ok.body.json
        #expect(listed.map(\.name).sorted() == ["alice", "bob"])
        #expect(listed.allSatisfy { $0.usedBytes == 0 && $0.usedMessages == 0 })
        let one = try await handler.getAccount(.init(path: .init(name: "BOB"))).ok.body.json
        #expect(one.name == "bob")
        let changed = try await handler.setPassword(.init(path: .init(name: "bob"), body: .json(.init())))
        #expect(try changed.ok.body.json.password?.count == 20)
        #expect(try changed.ok.body.json.appPasswordsRevoked == 0)
        _ = try await handler.deleteAccount(.init(path: .init(name: "bob"))).noContent
        await expectProblem(.notFound, "no account named 'bob'") {
            _ = try await handler.getAccount(.init(path: .init(name: "bob")))
        }
        await expectProblem(.conflict, "account 'alice' already exists") {
            _ = try await handler.createAccount(.init(body: .json(.init(name: "alice"))))
        }
        await expectProblem(.badRequest, "invalid account name") {
            _ = try await handler.createAccount(.init(body: .json(.init(name: ""))))
        }
        await expectProblem(.badRequest, "the password is empty") {
            _ = try await handler.createAccount(.init(body: .json(.init(name: "carol", password: ""))))
        }
    }

    @Test func quota() async throws {
        _ = try await handler.createAccount(.init(body: .json(.init(name: "alice"))))
        let set = try await handler.setQuota(
            .init(path: .init(name: "alice"), body: .json(.init(storageLimit: 1000, messageLimit: 10)))
        ).ok.body.json
        #expect(set.storageLimit == 1000 && set.messageLimit == 10 && set.isDefault == false)
        let read = try await handler.getQuota(.init(path: .init(name: "alice"))).ok.body.json
        #expect(read == set)
        let back = try await handler.setQuota(.init(path: .init(name: "alice"), body: .json(.init(useDefault: true))))
        #expect(try back.ok.body.json.isDefault)
        await expectProblem(.badRequest, "useDefault cannot be combined") {
            _ = try await handler.setQuota(
                .init(path: .init(name: "alice"), body: .json(.init(storageLimit: 5, useDefault: true))))
        }
        await expectProblem(.badRequest, "quota limits cannot be negative") {
            _ = try await handler.setQuota(.init(path: .init(name: "alice"), body: .json(.init(messageLimit: -1))))
        }
    }

    @Test func appPasswordsAndMailboxes() async throws {
        _ = try await handler.createAccount(.init(body: .json(.init(name: "alice"))))
        let app = try await handler.createAppPassword(
            .init(path: .init(name: "alice"), body: .json(.init(label: "phone")))
        ).created.body.json
        #expect(app.label == "phone" && app.password.count == 20)
        let listed = try await handler.listAppPasswords(.init(path: .init(name: "alice"))).ok.body.json
        #expect(listed.map(\.label) == ["phone"])
        await expectProblem(.conflict, "'alice' already has an app password with that label") {
            _ = try await handler.createAppPassword(
                .init(path: .init(name: "alice"), body: .json(.init(label: "phone"))))
        }
        _ = try await handler.revokeAppPassword(.init(path: .init(name: "alice", label: "phone"))).noContent
        await expectProblem(.notFound, "'alice' has no app password with that label") {
            _ = try await handler.revokeAppPassword(.init(path: .init(name: "alice", label: "phone")))
        }
        let mailboxes = try await handler.listMailboxes(.init(path: .init(name: "alice"))).ok.body.json
        #expect(mailboxes.map(\.name).contains("INBOX"))
        #expect(mailboxes.allSatisfy { $0.messages == 0 && $0.unseen == 0 && $0.size == 0 })
    }

    @Test func liveSessions() async throws {
        let listed = try await handler.listSessions(.init()).ok.body.json
        #expect(listed.map(\.id) == [7, 8])
        #expect(listed[0].user == "alice" && listed[0].listener == .imaps && listed[0].mailboxSelected)
        #expect(listed[1].user == nil && listed[1].listener == .imap)
        _ = try await handler.disconnectSession(.init(path: .init(id: 7))).noContent
        #expect(sessions.ended.withLock { $0 } == ["7"])
        await expectProblem(.notFound, "no session numbered 9") {
            _ = try await handler.disconnectSession(.init(path: .init(id: 9)))
        }
        await expectProblem(.notFound, "no session numbered -1") {
            _ = try await handler.disconnectSession(.init(path: .init(id: -1)))
        }
        let count = try await handler.disconnectAccountSessions(.init(path: .init(name: "ALICE"))).ok.body.json
        #expect(count.disconnected == 1)
    }

    @Test func problemsForUnreadableRequestsAndOtherFailures() async throws {
        let unreadable = serverError(DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "bad")))
        let (response, body) = ProblemMiddleware.response(for: unreadable)
        #expect(response.status == .badRequest)
        #expect(response.headerFields[.contentType] == "application/problem+json")
        let problem = try await decode(body)
        #expect(problem.status == 400 && problem.detail.hasPrefix("the request does not match the API"))
        let (failed, failedBody) = ProblemMiddleware.response(for: serverError(CancellationError()))
        #expect(failed.status == .internalServerError)
        #expect(try await decode(failedBody).detail == "the server failed to answer the request")
        let unavailable = serverError(AdministrationError(.unavailable, "down\nfor now"))
        let (down, downBody) = ProblemMiddleware.response(for: unavailable)
        #expect(down.status == .serviceUnavailable)
        #expect(try await decode(downBody).detail == "down for now")
    }

    /// Runs `body` and answers its error as the middleware would: a problem with `status` whose detail
    /// starts with `prefix`.
    func expectProblem(
        _ status: HTTPResponse.Status, _ prefix: String, _ body: () async throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        do {
            try await body()
            Issue.record("no error; expected \(status)", sourceLocation: sourceLocation)
        } catch {
            let (response, responseBody) = ProblemMiddleware.response(for: serverError(error))
            #expect(response.status == status, sourceLocation: sourceLocation)
            let detail = (try? await decode(responseBody).detail) ?? ""
            #expect(detail.hasPrefix(prefix), "\(detail)", sourceLocation: sourceLocation)
        }
    }
}

func serverError(_ underlying: any Error) -> ServerError {
    ServerError(
        operationID: "test", request: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/"),
        requestBody: nil, requestMetadata: .init(), causeDescription: "test", underlyingError: underlying)
}

func decode(_ body: HTTPBody?) async throws -> Components.Schemas.Problem {
    let data = try await Data(collecting: try #require(body), upTo: 1 << 20)
    return try JSONDecoder().decode(Components.Schemas.Problem.self, from: data)
}

/// Two sessions: 7 (alice, a mailbox selected, IMAPS) and 8 (not logged in, IMAP).
final class FakeSessions: SessionDirectory {
    let ended = Mutex<[String]>([])

    func liveSessions() -> [LiveSession] {
        [
            LiveSession(
                id: 7, user: "alice", address: "127.0.0.1", listener: "imaps", since: Date(), mailboxSelected: true),
            LiveSession(id: 8, user: nil, address: nil, listener: "imap", since: Date(), mailboxSelected: false),
        ]
    }

    func disconnect(session id: UInt64) -> Bool {
        guard id == 7 || id == 8 else { return false }
        ended.withLock { $0.append("\(id)") }
        return true
    }

    func disconnect(account: String) -> Int {
        account.lowercased() == "alice" ? 1 : 0
    }
}
