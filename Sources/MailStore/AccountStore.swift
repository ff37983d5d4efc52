/// Accounts and their credentials: what `postern user`, the first start and authentication need, kept
/// apart from the mail itself (`MailStore`), whose calls take an `AccountID` this protocol hands out.
///
/// Invariants every engine keeps (and the conformance suite checks): names are validated with
/// `AccountName.validate` and matched case-insensitively; a call that returns has committed durably
/// (for engines that persist); `setCredentials` with another salt or iteration count revokes the account's
/// app passwords (their verifiers depend on both); deleting an account removes its mailboxes and messages and tells the
/// sessions logged in as it (`ChangeHub.publish(accountRemoved:)`).
public protocol AccountStore: Sendable {
    /// Creates an account with its default mailboxes (INBOX, Sent, Drafts, Trash, Junk, Archive,
    /// all subscribed, with their SPECIAL-USE attributes).
    func createAccount(name: String, credentials: StoredCredentials) async throws -> AccountID
    func setCredentials(accountName: String, credentials: StoredCredentials) async throws
    /// Deletes the account, its mailboxes, messages and content files.
    func deleteAccount(name: String) async throws
    func listAccounts() async throws -> [AccountSummary]
    /// The stored verifier of an account (names are matched case-insensitively), or nil (also for a name
    /// `AccountName.validate` refuses). Account names are validated with `AccountName.validate`.
    func credentials(accountName: String) async throws -> (AccountID, StoredCredentials)?

    // MARK: App passwords (see `AppPassword`)

    /// Adds an app password whose verifier (`storedKey`, `serverKey`) was made with the account's
    /// current salt and iteration count (`salt`, `iterations`, as read from `credentials`). When the
    /// account's salt or count changed meanwhile the verifier is useless: `.internal`.
    func addAppPassword(accountName: String, label: String, verifier: StoredCredentials) async throws
    /// The account's app passwords, by label.
    func appPasswords(accountName: String) async throws -> [AppPassword]
    /// The verifiers of the account's app passwords (for authentication).
    func appPasswords(account: AccountID) async throws -> [AppPassword]
    func revokeAppPassword(accountName: String, label: String) async throws
}
