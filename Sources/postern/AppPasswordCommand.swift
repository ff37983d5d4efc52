import Administration
import ArgumentParser
import Foundation
import MailStore

extension User {
    /// `postern user app-password add|list|revoke`: named passwords of an account (see `AppPassword`).
    struct AppPasswordCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "app-password",
            abstract: "Manage an account's app passwords (one per device or program, each revocable alone).",
            subcommands: [Add.self, List.self, Revoke.self]
        )

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create an app password; it is printed once and never shown again.")
            @Argument(help: "The account name.") var name: String
            @Argument(help: "A label, e.g. \"phone\" (letters, digits, spaces and . _ -).") var label: String
            @OptionGroup var data: StoreOptions

            func validate() throws {
                do {
                    try AppPassword.validate(label: label)
                } catch MailStoreError.invalidAppPasswordLabel(let why) {
                    throw ValidationError("invalid label '\(label)': \(why)")
                }
            }

            func run() async throws {
                let secret = try await administer(data) { try await $0.createAppPassword(name: name, label: label) }
                print("created app password '\(label)' for \(name)")
                print("password: \(secret)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List an account's app passwords: label and creation time (UTC), one per line.")
            @Argument(help: "The account name.") var name: String
            @OptionGroup var data: StoreOptions

            func run() async throws {
                let formatter = ISO8601DateFormatter()
                for app in try await administer(data, { try await $0.appPasswords(name: name) }) {
                    print("\(app.label)\t\(formatter.string(from: app.created))")
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Revoke one app password; the account's other passwords keep working.")
            @Argument(help: "The account name.") var name: String
            @Argument(help: "The label of the app password.") var label: String
            @OptionGroup var data: StoreOptions

            func run() async throws {
                try await administer(data) { try await $0.revokeAppPassword(name: name, label: label) }
                print("revoked app password '\(label)' of \(name)")
            }
        }
    }
}
