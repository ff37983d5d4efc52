import Foundation
import MailStore

/// What a filter (the account's Sieve script) decided for one account's copy of a message. The
/// delivery applies it: every filing in one commit, then the mail that goes out.
public struct FilterDecision: Sendable, Equatable {
    /// One mailbox the message goes to, with its flags; `create` makes a missing mailbox
    /// (`fileinto :create`, RFC 5490 §3.2), else a missing one means INBOX.
    public struct Filing: Sendable, Equatable {
        public var mailbox: String
        public var flags: MessageFlags
        public var create: Bool

        public init(mailbox: String, flags: MessageFlags = MessageFlags(), create: Bool = false) {
            self.mailbox = mailbox
            self.flags = flags
            self.create = create
        }
    }

    /// An auto-reply, with the key that answers a sender only once per `seconds` (RFC 5230 §4.2).
    public struct Vacation: Sendable, Equatable {
        public var reply: VacationReply
        public var trackingKey: String
        public var seconds: Int

        public init(reply: VacationReply, trackingKey: String, seconds: Int) {
            self.reply = reply
            self.trackingKey = trackingKey
            self.seconds = seconds
        }
    }

    public var filings: [Filing]
    /// Addresses the message is sent on to (RFC 5228 §4.2).
    public var redirects: [String]
    public var vacation: Vacation?
    /// Refuse the message with this reason (RFC 5429): nothing is filed or sent.
    public var reject: String?
    /// Keys the `duplicate` test (RFC 7352) records once the delivery succeeded, with their lifetime.
    public var duplicateKeys: [(key: String, seconds: Int)]
    /// The script failed (it does not compile, or a runtime error): the message is kept in INBOX, and
    /// this says why in the log.
    public var failure: String?

    public init(
        filings: [Filing] = [], redirects: [String] = [], vacation: Vacation? = nil, reject: String? = nil,
        duplicateKeys: [(key: String, seconds: Int)] = [], failure: String? = nil
    ) {
        self.filings = filings
        self.redirects = redirects
        self.vacation = vacation
        self.reject = reject
        self.duplicateKeys = duplicateKeys
        self.failure = failure
    }

    /// A failed script keeps the message in INBOX (RFC 5228 §2.10.6).
    public static func keepAfterFailure(_ reason: String) -> FilterDecision {
        FilterDecision(filings: [Filing(mailbox: "INBOX")], failure: reason)
    }

    public static func == (a: FilterDecision, b: FilterDecision) -> Bool {
        a.filings == b.filings && a.redirects == b.redirects && a.vacation == b.vacation && a.reject == b.reject
            && a.duplicateKeys.map(\.key) == b.duplicateKeys.map(\.key)
            && a.duplicateKeys.map(\.seconds) == b.duplicateKeys.map(\.seconds) && a.failure == b.failure
    }
}

/// The message and envelope a filter sees for one recipient.
public struct FilterInput: Sendable {
    public var account: AccountID
    public var accountName: String
    /// The address the message was delivered to (as given by the client).
    public var recipient: String
    /// The envelope sender; "" for the null path.
    public var sender: String
    /// The staged copy for this recipient (trace headers first); read it, do not consume it.
    public var message: StagedMessage
    /// The folder the address asked for (`user+detail`), if any.
    public var folder: String?
}

/// Runs an account's filter on a message. nil: the account has no filter (deliver as usual).
public protocol DeliveryFilter: Sendable {
    func decide(_ input: FilterInput) async -> FilterDecision?
}
