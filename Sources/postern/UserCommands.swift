import Administration
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
            let given = try password.read()
            let generated = try await administer(data) { try await $0.createAccount(name: name, password: given) }
            print("created account \(name)")
            if let generated { print("password: \(generated)") }
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

        func run() async throws {
            let given = try password.read()
            let change = try await administer(data) { try await $0.setPassword(name: name, password: given) }
            print("password changed for \(name)")
            if change.appPasswordsRevoked > 0 {
                print("app passwords revoked: \(change.appPasswordsRevoked) (made for the old key derivation settings)")
            }
            if let generated = change.generatedPassword { print("password: \(generated)") }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account and all its mail.")
        @Argument(help: "The account name.") var name: String
        @OptionGroup var data: StoreOptions

        func run() async throws {
            try await administer(data) { try await $0.deleteAccount(name: name) }
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

    /// The password read from standard input, or nil when one is to be generated.
    func read() throws -> String? {
        guard passwordStdin else { return nil }
        guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandFailure(message: "--password-stdin: no password on standard input")
        }
        return line
    }
}

/// Runs `body` on the administration of the configured store; its errors become one-line failures.
func administer<T: Sendable>(
    _ data: StoreOptions, _ body: (AccountAdministration) async throws -> T
) async throws -> T {
    try await withStore(data) { store in
        do {
            return try await body(AccountAdministration(store: store))
        } catch let error as AdministrationError {
            throw CommandFailure(error)
        }
    }
}

extension CommandFailure {
    /// An administration error as a one-line failure: status 1 when the store failed, else 2.
    init(_ error: AdministrationError) {
        switch error.kind {
        case .failed, .unavailable: self.init(message: error.description, status: 1)
        case .invalid, .notFound, .conflict: self.init(message: error.description)
        }
    }
}

func mapStoreErrors(_ name: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as MailStoreError {
        throw CommandFailure(AdministrationError(error, account: name))
    }
}
