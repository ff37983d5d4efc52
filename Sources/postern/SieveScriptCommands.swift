import ArgumentParser
import Foundation
import MailStore
import ManageSieve
import PosternServer

/// Runs `body` on the store and the account a script command works on.
private func withAccount(
    _ data: StoreOptions, _ user: String, _ body: (any MailStore & AccountStore, AccountID) async throws -> Void
) async throws {
    try await withStore(data) { store in
        var found: AccountID?
        try await mapStoreErrors(user) {
            guard let (account, _) = try await store.credentials(accountName: user) else {
                throw MailStoreError.accountNotFound
            }
            found = account
        }
        guard let found else { throw CommandFailure(message: "no account named '\(user)'") }
        try await body(store, found)
    }
}

/// Runs a script call, turning refusals into one-line errors.
private func mapScriptErrors(_ user: String, _ name: String, _ body: () async throws -> Void) async throws {
    do {
        try await mapStoreErrors(user, body)
    } catch let error as SieveScriptError {
        switch error {
        case .scriptNotFound: throw CommandFailure(message: "'\(user)' has no script named '\(name)'")
        case .scriptExists: throw CommandFailure(message: "'\(user)' already has a script named '\(name)'")
        case .scriptActive:
            throw CommandFailure(
                message: "'\(name)' is the active script of '\(user)': activate another (or --none) first")
        case .invalidName(let why): throw CommandFailure(message: "invalid script name '\(name)': \(why)")
        case .tooManyScripts:
            throw CommandFailure(message: "'\(user)' has as many scripts as allowed: delete one first")
        case .scriptTooLarge: throw CommandFailure(message: "the script is larger than allowed")
        }
    }
}

struct SievePut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Store a script (create or replace), optionally making it the active one.")
    @Argument(help: "The account name.") var user: String
    @Argument(help: "The script's name.") var name: String
    @Argument(help: "The script file, or - for standard input.") var file: String
    @Flag(help: "Make it the account's active script.") var activate = false
    @OptionGroup var data: StoreOptions

    func validate() throws {
        do {
            try SieveScriptName.validate(name)
        } catch SieveScriptError.invalidName(let why) {
            throw ValidationError("invalid script name '\(name)': \(why)")
        }
    }

    func run() async throws {
        // The config file (--config) gives its sieve_max_script_size and sieve_max_scripts.
        let configuration = try data.configuration()
        let limits = configuration.manageSieve.limits
        let source: [UInt8]
        do {
            source =
                file == "-"
                ? Array(FileHandle.standardInput.readDataToEndOfFile())
                : Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw CommandFailure(message: "cannot read \(file): \(error.localizedDescription)")
        }
        guard source.count <= limits.maxScriptSize else {
            throw CommandFailure(
                message: "\(file) has \(source.count) octets: a script may have \(limits.maxScriptSize) at most")
        }
        let problems = SieveScriptCheckers.standard.check(source)
        if let error = problems.first(where: { !$0.isWarning }) {
            throw CommandFailure(message: "\(file): \(error.description)")
        }
        for warning in problems { printError("warning: \(file): \(warning.description)") }
        try await withStore(configuration) { store in
            guard let (account, _) = try await store.credentials(accountName: user) else {
                throw CommandFailure(message: "no account named '\(user)'")
            }
            try await mapScriptErrors(user, name) {
                try await store.putSieveScript(
                    account: account, name: name, source: source, maxScripts: limits.maxScripts)
                if activate { try await store.setActiveSieveScript(account: account, name: name) }
            }
        }
        print("stored script '\(name)' for \(user)\(activate ? " (active)" : "")")
    }
}

struct SieveActivate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate", abstract: "Make a script the account's active one (or, with --none, none).")
    @Argument(help: "The account name.") var user: String
    @Argument(help: "The script's name (omit with --none).") var name: String?
    @Flag(help: "Deactivate: no script filters the account's mail.") var none = false
    @OptionGroup var data: StoreOptions

    func validate() throws {
        guard none != (name != nil) else { throw ValidationError("give a script name, or --none") }
    }

    func run() async throws {
        try await withAccount(data, user) { store, account in
            try await mapScriptErrors(user, name ?? "") {
                try await store.setActiveSieveScript(account: account, name: none ? nil : name)
            }
        }
        print(none ? "no script is active for \(user)" : "activated script '\(name ?? "")' for \(user)")
    }
}

struct SieveList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List an account's scripts, one per line; the active one ends in TAB active.")
    @Argument(help: "The account name.") var user: String
    @OptionGroup var data: StoreOptions

    func run() async throws {
        try await withAccount(data, user) { store, account in
            try await mapScriptErrors(user, "") {
                for script in try await store.sieveScripts(account: account) {
                    print(script.isActive ? "\(script.name)\tactive" : script.name)
                }
            }
        }
    }
}

struct SieveGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Write a script's source to standard output.")
    @Argument(help: "The account name.") var user: String
    @Argument(help: "The script's name.") var name: String
    @OptionGroup var data: StoreOptions

    func run() async throws {
        try await withAccount(data, user) { store, account in
            try await mapScriptErrors(user, name) {
                guard let source = try await store.sieveScript(account: account, name: name) else {
                    throw SieveScriptError.scriptNotFound
                }
                FileHandle.standardOutput.write(Data(source))
            }
        }
    }
}

struct SieveDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a script (not the active one).")
    @Argument(help: "The account name.") var user: String
    @Argument(help: "The script's name.") var name: String
    @OptionGroup var data: StoreOptions

    func run() async throws {
        try await withAccount(data, user) { store, account in
            try await mapScriptErrors(user, name) { try await store.deleteSieveScript(account: account, name: name) }
        }
        print("deleted script '\(name)' of \(user)")
    }
}
