import Foundation
import Logging
import MailRelay
import MailStore
import Synchronization

/// One account a recipient leads to, and the folder asked for (`user+detail`, `postern deliver -m`).
public struct DeliveryTarget: Sendable, Equatable {
    public var account: AccountID
    public var accountName: String
    public var folder: String?

    public init(account: AccountID, accountName: String, folder: String?) {
        self.account = account
        self.accountName = accountName
        self.folder = folder
    }
}

/// What a recipient address leads to.
public enum Resolution: Sendable, Equatable {
    case targets([DeliveryTarget])
    case noSuchUser
    case foreignDomain
    /// The store could not be asked: try again later.
    case temporaryFailure
}

/// How the delivery to one recipient ended.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    case overQuota
    case tooLarge
    case noSuchUser
    case temporaryFailure
    /// The account's filter refused the message (Sieve `reject`/`ereject`, RFC 5429), with its reason.
    case rejected(String)
}

/// Delivers messages into the store: the one delivery path of LMTP and `postern deliver`.
///
/// A message is written once as it arrives, with the first recipient's trace headers in front
/// (`IncomingMessage`); every further recipient gets a copy with its own. Each copy is appended like
/// an IMAP APPEND (fsynced file, then a durable commit; quota checked in the same transaction), so an
/// outcome `.delivered` means the message is on disk, and the sessions watching the mailbox are told.
public final class Deliverer: Sendable {
    let store: any MailStore
    let accounts: any AccountStore
    public let rules: DeliveryRules
    public let hostName: String
    /// Largest message body accepted (the append limit).
    public let maxMessageSize: Int
    let logger: Logger
    /// The accounts' filters (Sieve) and the relay their redirects and replies go through; without a
    /// filter every message goes where it is addressed.
    let filter: (any DeliveryFilter)?
    let relay: SMTPRelay?
    /// Vacation replies being sent now (account and tracking key).
    let repliesInFlight = Mutex<Set<String>>([])

    public init(
        store: any MailStore, accounts: any AccountStore, rules: DeliveryRules, hostName: String,
        maxMessageSize: Int, logger: Logger, filter: (any DeliveryFilter)? = nil, relay: SMTPRelay? = nil
    ) {
        self.store = store
        self.accounts = accounts
        self.rules = rules
        self.hostName = hostName
        self.maxMessageSize = maxMessageSize
        self.logger = logger
        self.filter = filter
        self.relay = relay
    }

    /// The accounts `localPart@domain` leads to. `folder` overrides the address's detail.
    public func resolve(localPart: String, domain: String?, folder: String? = nil) async -> Resolution {
        switch rules.route(localPart: localPart, domain: domain) {
        case .foreignDomain: return .foreignDomain
        case .accounts(let names, let detail):
            var targets: [DeliveryTarget] = []
            for name in names {
                let found: (AccountID, StoredCredentials)?
                do {
                    found = try await accounts.credentials(accountName: name)
                } catch {
                    logger.error("delivery: cannot look up an account", metadata: ["error": "\(error)"])
                    return .temporaryFailure
                }
                if let (id, _) = found {
                    targets.append(DeliveryTarget(account: id, accountName: name, folder: folder ?? detail))
                }
            }
            return targets.isEmpty ? .noSuchUser : .targets(targets)
        }
    }

    /// Starts receiving a message for these recipients (each an address as given and its targets, at
    /// least one). Blocking file I/O: call it, and the returned message's methods, off the event loop.
    public func begin(
        recipients: [(address: String, targets: [DeliveryTarget])], trace: TraceHeaders
    ) throws -> IncomingMessage {
        try IncomingMessage(deliverer: self, recipients: recipients, trace: trace)
    }

    /// The mailbox a target's message goes to: its folder when that exists and is selectable, else INBOX.
    func mailbox(for target: DeliveryTarget) async throws -> MailboxInfo {
        if let folder = target.folder, let found = try await existingMailbox(account: target.account, name: folder) {
            return found
        }
        guard let inbox = try await store.mailbox(account: target.account, name: "INBOX") else {
            throw MailStoreError.mailboxNotFound
        }
        return inbox
    }

    /// The selectable mailbox called `name`, matched exactly or else case-insensitively; nil when none.
    func existingMailbox(account: AccountID, name: String) async throws -> MailboxInfo? {
        guard !name.isEmpty else { return nil }
        if let exact = try await store.mailbox(account: account, name: name), !exact.isNoSelect { return exact }
        let lowered = name.lowercased()
        return try await store.listMailboxes(account: account)
            .first { $0.name.lowercased() == lowered && !$0.isNoSelect }
    }

    /// Appends one staged copy (with its parse result) for one target, through the account's filter
    /// when there is one.
    func append(
        _ staged: StagedMessage, structure: MessageStructure?, to target: DeliveryTarget, date: Date,
        recipient: String, sender: String
    ) async -> DeliveryOutcome {
        if let filter {
            let input = FilterInput(
                account: target.account, accountName: target.accountName, recipient: recipient, sender: sender,
                message: staged, folder: target.folder)
            if let decision = await filter.decide(input) {
                return await apply(decision, to: input, structure: structure, date: date)
            }
        }
        do {
            let mailbox = try await mailbox(for: target)
            let zone = TimeZone.current.secondsFromGMT(for: date) / 60
            let message = StagedAppend(
                message: staged, flags: MessageFlags(), internalDate: date, internalDateZone: zone, structure: structure
            )
            let result = try await store.append(account: target.account, mailbox: mailbox.id, messages: [message])
            logger.info(
                "delivered",
                metadata: [
                    "account": "\(target.accountName)", "folder": "\(mailbox.name)", "uid": "\(result.first?.uid ?? 0)",
                    "size": "\(staged.size)",
                ])
            return .delivered
        } catch {
            staged.discard()
            return outcome(after: error, accountName: target.accountName)
        }
    }

    /// What a failed append answers: the user's refusals as they are, anything else a temporary failure
    /// (logged).
    func outcome(after error: any Error, accountName: String) -> DeliveryOutcome {
        switch error as? MailStoreError {
        case .overQuota: return .overQuota
        case .messageTooLarge: return .tooLarge
        case .accountNotFound: return .noSuchUser
        default:
            logger.error("delivery failed", metadata: ["account": "\(accountName)", "error": "\(error)"])
            return .temporaryFailure
        }
    }
}
