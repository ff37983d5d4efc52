import Administration
import Foundation
import MailStore
import OpenAPIRuntime

/// The operations of openapi.yaml (served under /api/v1). Each one calls `AccountAdministration`, as
/// the CLI does, or the server's `SessionDirectory`; failures are thrown as `AdministrationError` and
/// `ProblemMiddleware` answers them.
struct AdminAPIHandler: APIProtocol {
    let administration: AccountAdministration
    let sessions: any SessionDirectory

    // MARK: Accounts

    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        .ok(.init(body: .json(try await administration.accounts().map(Self.account))))
    }

    func createAccount(_ input: Operations.CreateAccount.Input) async throws -> Operations.CreateAccount.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let generated = try await administration.createAccount(name: body.name, password: body.password)
        return .created(.init(body: .json(.init(name: body.name, password: generated))))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        .ok(.init(body: .json(Self.account(try await administration.account(name: input.path.name)))))
    }

    func deleteAccount(_ input: Operations.DeleteAccount.Input) async throws -> Operations.DeleteAccount.Output {
        try await administration.deleteAccount(name: input.path.name)
        return .noContent(.init())
    }

    func setPassword(_ input: Operations.SetPassword.Input) async throws -> Operations.SetPassword.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let change = try await administration.setPassword(name: input.path.name, password: body.password)
        return .ok(
            .init(
                body: .json(
                    .init(password: change.generatedPassword, appPasswordsRevoked: change.appPasswordsRevoked))))
    }

    // MARK: Quota (RFC 9208 STORAGE and MESSAGE)

    func getQuota(_ input: Operations.GetQuota.Input) async throws -> Operations.GetQuota.Output {
        .ok(.init(body: .json(Self.quota(try await administration.quota(name: input.path.name)))))
    }

    func setQuota(_ input: Operations.SetQuota.Input) async throws -> Operations.SetQuota.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let limits: QuotaLimits?
        if body.useDefault == true {
            guard body.storageLimit == nil && body.messageLimit == nil else {
                throw AdministrationError(.invalid, "useDefault cannot be combined with storageLimit or messageLimit")
            }
            limits = nil
        } else {
            limits = QuotaLimits(storageBytes: body.storageLimit, messages: body.messageLimit)
        }
        let quota = try await administration.setQuota(name: input.path.name, limits: limits)
        return .ok(.init(body: .json(Self.quota(quota))))
    }

    // MARK: Mailboxes

    func listMailboxes(_ input: Operations.ListMailboxes.Input) async throws -> Operations.ListMailboxes.Output {
        let statistics = try await administration.mailboxStatistics(name: input.path.name)
        return .ok(
            .init(
                body: .json(
                    statistics.map {
                        .init(name: $0.name, messages: $0.messages, unseen: $0.unseen, size: $0.size)
                    })))
    }

    // MARK: App passwords

    func listAppPasswords(
        _ input: Operations.ListAppPasswords.Input
    ) async throws -> Operations.ListAppPasswords.Output {
        let apps = try await administration.appPasswords(name: input.path.name)
        return .ok(.init(body: .json(apps.map { .init(label: $0.label, created: $0.created) })))
    }

    func createAppPassword(
        _ input: Operations.CreateAppPassword.Input
    ) async throws -> Operations.CreateAppPassword.Output {
        guard case .json(let body) = input.body else { throw Self.unsupportedBody }
        let secret = try await administration.createAppPassword(name: input.path.name, label: body.label)
        return .created(.init(body: .json(.init(label: body.label, password: secret))))
    }

    func revokeAppPassword(
        _ input: Operations.RevokeAppPassword.Input
    ) async throws -> Operations.RevokeAppPassword.Output {
        try await administration.revokeAppPassword(name: input.path.name, label: input.path.label)
        return .noContent(.init())
    }

    // MARK: Sessions

    func listSessions(_ input: Operations.ListSessions.Input) async throws -> Operations.ListSessions.Output {
        let listed = sessions.liveSessions().map { session in
            Components.Schemas.Session(
                id: Int64(clamping: session.id), user: session.user, address: session.address,
                listener: Components.Schemas.Session.ListenerPayload(rawValue: session.listener) ?? .imap,
                since: session.since, mailboxSelected: session.mailboxSelected)
        }
        return .ok(.init(body: .json(listed)))
    }

    func disconnectSession(
        _ input: Operations.DisconnectSession.Input
    ) async throws -> Operations.DisconnectSession.Output {
        let id = input.path.id
        guard id > 0, sessions.disconnect(session: UInt64(id)) else {
            throw AdministrationError(.notFound, "no session numbered \(id)")
        }
        return .noContent(.init())
    }

    func disconnectAccountSessions(
        _ input: Operations.DisconnectAccountSessions.Input
    ) async throws -> Operations.DisconnectAccountSessions.Output {
        let count = sessions.disconnect(account: input.path.name)
        return .ok(.init(body: .json(.init(disconnected: count))))
    }

    // MARK: Conversions

    private static let unsupportedBody = AdministrationError(.invalid, "the request body must be JSON")

    private static func account(_ usage: AccountAdministration.Usage) -> Components.Schemas.Account {
        .init(name: usage.name, created: usage.created, usedBytes: usage.usedBytes, usedMessages: usage.usedMessages)
    }

    private static func quota(_ quota: AccountQuota) -> Components.Schemas.Quota {
        .init(
            usedBytes: quota.usedBytes, usedMessages: quota.usedMessages, storageLimit: quota.limits.storageBytes,
            messageLimit: quota.limits.messages, isDefault: quota.isDefault)
    }
}
