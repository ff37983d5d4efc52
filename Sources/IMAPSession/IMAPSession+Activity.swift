/// What a session is doing, as far as an administrator may see it: who is logged in and whether a
/// mailbox is selected (never which one).
public struct SessionActivity: Sendable, Equatable {
    public var user: String?
    public var mailboxSelected: Bool

    public init(user: String? = nil, mailboxSelected: Bool = false) {
        self.user = user
        self.mailboxSelected = mailboxSelected
    }
}

extension IMAPSession {
    /// Tells `onActivity` when the login or the selection changed since it was last told.
    func reportActivity() {
        guard let onActivity = configuration.onActivity else { return }
        let now = SessionActivity(user: state.loggedIn?.name, mailboxSelected: state.isSelected)
        guard now != reportedActivity else { return }
        reportedActivity = now
        onActivity(now)
    }
}

extension SessionState {
    var isSelected: Bool {
        if case .selected = self { true } else { false }
    }
}
