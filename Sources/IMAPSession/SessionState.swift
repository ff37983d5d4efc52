import IMAPWire
import MailStore

/// The connection states of RFC 9051 §3, with what each one carries: a selected mailbox cannot exist
/// without a logged-in account, and nothing but these transitions change which state a session is in.
///
/// ```
///   notAuthenticated ──LOGIN/AUTHENTICATE──▶ authenticated ──SELECT/EXAMINE──▶ selected
///          ▲                                    │   ▲                            │
///          └───────────UNAUTHENTICATE───────────┘   └──CLOSE/UNSELECT/failed─────┘
///                                                      SELECT/mailbox gone
///   any state ──LOGOUT/BYE──▶ loggedOut
/// ```
enum SessionState {
    /// Who the session is logged in as.
    struct LoggedIn {
        var account: AccountID
        var name: String
    }

    case notAuthenticated
    case authenticated(LoggedIn)
    case selected(LoggedIn, SelectedMailbox)
    case loggedOut

    var loggedIn: LoggedIn? {
        switch self {
        case .authenticated(let user), .selected(let user, _): user
        case .notAuthenticated, .loggedOut: nil
        }
    }

    var selectedMailbox: SelectedMailbox? {
        if case .selected(_, let view) = self { view } else { nil }
    }

    /// Where a command may run (RFC 9051 §6: §6.1 any state, §6.2 not authenticated, §6.3
    /// authenticated or selected, §6.4 selected).
    enum Requirement: Equatable {
        case anyState
        case notAuthenticated
        case authenticated
        case selected
    }

    enum Admission: Equatable {
        case admitted
        case needsLogin
        case needsSelection
        case loggedOut
    }

    func admits(_ command: Command) -> Admission {
        switch (self, Self.requirement(of: command)) {
        case (.loggedOut, _): .loggedOut
        case (_, .anyState), (_, .notAuthenticated): .admitted
        case (.notAuthenticated, _): .needsLogin
        case (.authenticated, .selected): .needsSelection
        case (.authenticated, .authenticated), (.selected, _): .admitted
        }
    }

    /// LOGIN and AUTHENTICATE are accepted in any state and answered BAD once logged in (the handler
    /// says so), like STARTTLS once TLS is active.
    static func requirement(of command: Command) -> Requirement {
        switch command {
        case .capability, .noop, .logout, .id: .anyState
        case .starttls, .login, .authenticate: .notAuthenticated
        case .enable, .select, .examine, .create, .delete, .rename, .subscribe, .unsubscribe, .list, .lsub,
            .namespace, .status, .idle, .unauthenticate, .getQuota, .getQuotaRoot, .setQuota, .compress,
            .getMetadata, .setMetadata:
            .authenticated
        case .check, .close, .unselect, .expunge, .uidExpunge, .search, .fetch, .store, .copy, .move, .sort, .thread:
            .selected
        }
    }

    /// Logs in (RFC 9051 §6.2): only from the not-authenticated state.
    mutating func logIn(_ user: LoggedIn) {
        precondition(loggedIn == nil, "log in twice")
        self = .authenticated(user)
    }

    /// Selects a mailbox (RFC 9051 §6.3.2), replacing any selected one.
    mutating func select(_ view: SelectedMailbox) {
        guard let user = loggedIn else { preconditionFailure("select before login") }
        self = .selected(user, view)
    }

    /// Back to the authenticated state (CLOSE, UNSELECT, a failed SELECT, a vanished mailbox).
    mutating func deselect() {
        if case .selected(let user, _) = self { self = .authenticated(user) }
    }

    /// Changes the selected mailbox's view in place (new messages, expunges, saved search, ...).
    mutating func updateSelected(_ change: (inout SelectedMailbox) -> Void) {
        guard case .selected(let user, var view) = self else { return }
        // Leave no second reference to the view's arrays while it changes (no copy on write).
        self = .authenticated(user)
        change(&view)
        self = .selected(user, view)
    }
}

extension IMAPSession {
    /// Who the session is logged in as, if anyone.
    var account: SessionState.LoggedIn? { state.loggedIn }

    /// The selected mailbox's view, if one is selected (changed through `state`).
    var selected: SelectedMailbox? { state.selectedMailbox }
}
