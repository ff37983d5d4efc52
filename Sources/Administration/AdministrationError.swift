import MailStore

/// Why an administrative action failed, in words for the operator: the CLI prints `description` as its
/// one-line error and the admin API returns it as a problem's detail, with the status `kind` picks.
public struct AdministrationError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input is malformed or out of range (CLI status 2, HTTP 400).
        case invalid
        /// No such account or app password (HTTP 404).
        case notFound
        /// It exists already, or a limit is reached (HTTP 409).
        case conflict
        /// The store cannot be reached for now (HTTP 503).
        case unavailable
        /// The store failed (CLI status 1, HTTP 500).
        case failed
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// A store error met while acting on the account `name`, told as the operator needs to hear it.
    public init(_ error: MailStoreError, account name: String) {
        switch error {
        case .accountExists: self.init(.conflict, "account '\(name)' already exists")
        case .accountNotFound: self.init(.notFound, "no account named '\(name)'")
        case .invalidAccountName(let why): self.init(.invalid, "invalid account name '\(name)': \(why)")
        case .appPasswordExists: self.init(.conflict, "'\(name)' already has an app password with that label")
        case .appPasswordNotFound: self.init(.notFound, "'\(name)' has no app password with that label")
        case .invalidAppPasswordLabel(let why): self.init(.invalid, "invalid app password label: \(why)")
        case .tooManyAppPasswords:
            self.init(
                .conflict, "'\(name)' already has \(AppPassword.Limits.maxPerAccount) app passwords: revoke one first")
        case .unavailable: self.init(.unavailable, "the mail store cannot be reached for now")
        default: self.init(.failed, "\(error)")
        }
    }

    /// Runs `body`, turning the store errors it throws into administration errors about `name`.
    public static func mapping<T>(account name: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MailStoreError {
            throw AdministrationError(error, account: name)
        }
    }
}
