import ArgumentParser
import Foundation
import Logging
import MailStore

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts (works while the server runs).",
        subcommands: [Add.self, Passwd.self, Delete.self, List.self, Quota.self, AppPasswordCommand.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account with INBOX, Sent, Drafts, Trash, Junk and Archive.",
            discussion: "Without --password-stdin a strong password is generated and printed once."
        )
        @Argument(help: "The account name (letters, digits and . _ @ + -).") var name: String
        @OptionGroup var password: PasswordOption
        @OptionGroup var data: StoreOptions

        func run() async throws {
            let (secret, credentials) = try password.obtain()
            try await withStore(data) { store in
                try await mapStoreErrors(name) {
                    _ = try await store.createAccount(name: name, credentials: credentials)
                }
            }
            print("created account \(name)")
            password.report(secret)
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an account's password.",
            discussion: "Without --password-stdin a strong password is generated and printed once."
        )
        @Argument(help: "The account name.") var name: String
        @OptionGroup var password: PasswordOption
        @OptionGroup var data: StoreOptions

        /// Keeps the account's salt when its iteration count is the current one, so that its app
        /// passwords (made with the same salt and count) stay valid; else they are revoked.
        func run() async throws {
            let secret = try password.obtainPassword()
            try await withStore(data) { store in try await change(store, secret) }
            password.report(secret)
        }

        private func change(_ store: any MailStore & AccountStore, _ secret: String) async throws {
            try await mapStoreErrors(name) {
                guard let (_, current) = try await store.credentials(accountName: name) else {
                    throw MailStoreError.accountNotFound
                }
                let hasher = PasswordHasher()
                let credentials =
                    current.iterations == hasher.iterations
                    ? try PasswordHasher.credentials(
                        password: secret, salt: current.salt, iterations: current.iterations)
                    : try hasher.makeCredentials(password: secret)
                let apps = try await store.appPasswords(accountName: name).count
                try await store.setCredentials(accountName: name, credentials: credentials)
                print("password changed for \(name)")
                if credentials.salt != current.salt && apps > 0 {
                    print("app passwords revoked: \(apps) (made for the old key derivation settings)")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account and all its mail.")
        @Argument(help: "The account name.") var name: String
        @OptionGroup var data: StoreOptions

        func run() async throws {
            try await withStore(data) { store in
                try await mapStoreErrors(name) { try await store.deleteAccount(name: name) }
            }
            print("deleted account \(name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts, one name per line.")
        @OptionGroup var data: StoreOptions

        func run() async throws {
            try await withStore(data) { store in
                for account in try await store.listAccounts() { print(account.name) }
            }
        }
    }
}

/// `--password-stdin`, or a generated password printed once.
struct PasswordOption: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false

    /// The password and its verifier (the password itself is never stored).
    func obtain() throws -> (password: String, credentials: StoredCredentials) {
        let password = try obtainPassword()
        return (password, try PasswordHasher().makeCredentials(password: password))
    }

    /// The password read or generated.
    func obtainPassword() throws -> String {
        let password: String
        if passwordStdin {
            guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandFailure(message: "--password-stdin: no password on standard input")
            }
            password = line
        } else {
            password = PasswordHasher.generatePassword()
        }
        return password
    }

    /// Prints a generated password (the only time it is shown).
    func report(_ password: String) {
        if !passwordStdin { print("password: \(password)") }
    }
}

func mapStoreErrors(_ name: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as MailStoreError {
        switch error {
        case .accountExists: throw CommandFailure(message: "account '\(name)' already exists")
        case .accountNotFound: throw CommandFailure(message: "no account named '\(name)'")
        case .invalidAccountName(let why): throw CommandFailure(message: "invalid account name '\(name)': \(why)")
        case .appPasswordExists: throw CommandFailure(message: "'\(name)' already has an app password with that label")
        case .appPasswordNotFound: throw CommandFailure(message: "'\(name)' has no app password with that label")
        case .invalidAppPasswordLabel(let why): throw CommandFailure(message: "invalid app password label: \(why)")
        case .tooManyAppPasswords:
            throw CommandFailure(
                message: "'\(name)' already has \(AppPassword.Limits.maxPerAccount) app passwords: revoke one first")
        default: throw CommandFailure(message: "\(error)", status: 1)
        }
    }
}
