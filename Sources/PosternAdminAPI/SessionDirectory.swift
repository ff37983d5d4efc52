import Foundation

/// The live IMAP sessions as the admin API sees them: the server keeps them, the API lists and ends
/// them. Never carries message content or mailbox names.
public protocol SessionDirectory: Sendable {
    /// The open sessions, oldest first.
    func liveSessions() -> [LiveSession]
    /// Tells the session numbered `id` to end; false when there is none.
    func disconnect(session id: UInt64) -> Bool
    /// Tells every session logged in as `account` (any case) to end; returns how many were told.
    func disconnect(account: String) -> Int
}

/// One open IMAP connection.
public struct LiveSession: Sendable, Equatable {
    /// The number of the session's log lines (`session` field).
    public var id: UInt64
    /// The account logged in as, nil before login.
    public var user: String?
    /// The client's address, when known.
    public var address: String?
    /// `imap` or `imaps`.
    public var listener: String
    public var since: Date
    public var mailboxSelected: Bool

    public init(id: UInt64, user: String?, address: String?, listener: String, since: Date, mailboxSelected: Bool) {
        self.id = id
        self.user = user
        self.address = address
        self.listener = listener
        self.since = since
        self.mailboxSelected = mailboxSelected
    }
}
