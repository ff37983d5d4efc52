import ArgumentParser
import Foundation
import IMAPSession
import MailStore

/// `postern index rebuild USER` and `postern index status USER`: the full-text search index of an
/// account (works while the server runs: the server's indexer and this command share the work).
struct IndexGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Manage an account's full-text search index.",
        subcommands: [Rebuild.self, Status.self]
    )

    /// Messages indexed between two progress lines.
    static let progressStep = 1000

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop an account's search index and make it again, showing progress.",
            discussion: """
                Searches stay complete meanwhile: messages not indexed yet are read by each search.
                """
        )
        @Argument(help: "The account name.") var name: String
        @OptionGroup var data: StoreOptions

        func run() async throws {
            try await withStore(data) { store in try await rebuild(store) }
        }

        private func rebuild(_ store: any MailStore & AccountStore) async throws {
            try await mapStoreErrors(name) {
                let account = try await IndexGroup.account(store, name)
                try await store.resetSearchIndex(account: account, otherThan: nil)
                let total = try await IndexGroup.status(store, account).pending
                print("\(name): indexing \(total) messages")
                let started = Date()
                var done = 0
                var shown = 0
                while true {
                    let indexed = try await store.indexPending(
                        account: account, limit: SearchIndexer.batch, maker: SearchDocument.maker)
                    if indexed == 0 { break }
                    done += indexed
                    if done - shown >= IndexGroup.progressStep {
                        shown = done
                        print("\(done)/\(total) messages indexed")
                    }
                }
                let status = try await IndexGroup.status(store, account)
                let seconds = Date().timeIntervalSince(started)
                let rate = seconds > 0 ? Int(Double(done) / seconds) : done
                print(
                    "\(name): \(status.indexed) messages indexed (\(done) in \(String(format: "%.1f", seconds)) s, "
                        + "\(rate) messages/s), \(status.documentBytes) bytes of index text")
                if status.pending > 0 {
                    print("\(status.pending) messages could not be indexed yet (searches read them)")
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show how far an account's search index is.")
        @Argument(help: "The account name.") var name: String
        @OptionGroup var data: StoreOptions

        func run() async throws {
            try await withStore(data) { store in try await show(store) }
        }

        private func show(_ store: any MailStore & AccountStore) async throws {
            try await mapStoreErrors(name) {
                let status = try await IndexGroup.status(store, try await IndexGroup.account(store, name))
                print("\(name): \(status.indexed) messages indexed, \(status.pending) pending")
                print("index text: \(status.documentBytes) bytes")
            }
        }
    }

    static func account(_ store: any MailStore & AccountStore, _ name: String) async throws -> AccountID {
        guard let (account, _) = try await store.credentials(accountName: name) else {
            throw MailStoreError.accountNotFound
        }
        return account
    }

    static func status(_ store: any MailStore, _ account: AccountID) async throws -> SearchIndexStatus {
        guard let status = try await store.searchIndexStatus(account: account) else {
            throw CommandFailure(message: "this store keeps no search index", status: 1)
        }
        return status
    }
}
