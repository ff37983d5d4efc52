/// Accounts and their credentials: what `postern user`, the first start and authentication need, kept
/// apart from the mail itself (`MailStore`), whose calls take an `AccountID` this protocol hands out.
///
/// Invariants every engine keeps (and the conformance suite checks): names are validated with
/// `AccountName.validate` and matched case-insensitively; a call that returns has committed durably
/// (for engines that persist); deleting an account removes its mailboxes and messages and tells the
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
}
