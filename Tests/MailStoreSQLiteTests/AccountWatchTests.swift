import Foundation
import MailStore
import MailStoreSQLite
import Testing

/// Sessions watch their account: its deletion reaches them, whether this process or another one
/// (a second opener of the same data folder, as `postern user delete` is) deleted it.
@Suite struct AccountWatchTests {
    /// Waits for the subscription's first wake-up; false after `seconds`.
    func woken(_ subscription: ChangeSubscription, within seconds: Double) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in subscription.stream { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return false
            }
            let first = await group.next() ?? false
            subscription.cancel()
            group.cancelAll()
            return first
        }
    }

    @Test func deletionInThisProcessIsPublished() async throws {
        try await withSQLiteStore { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let bob = try await MailStoreConformance.makeAccount(store, "bob")
            let watchAlice = store.changeHub.subscribe(account: alice)
            let watchBob = store.changeHub.subscribe(account: bob)
            try await store.deleteAccount(name: "alice")
            #expect(await woken(watchAlice, within: 5))
            #expect(!(await woken(watchBob, within: 0.3)))
        }
    }

    @Test func deletionByAnotherOpenerIsFound() async throws {
        try await withTemporaryDirectory { url in
            let server = try SQLiteMailStore(dataDirectory: url)
            let alice = try await MailStoreConformance.makeAccount(server)
            let bob = try await MailStoreConformance.makeAccount(server, "bob")
            let watchAlice = server.changeHub.subscribe(account: alice)
            let watchBob = server.changeHub.subscribe(account: bob)
            let cli = try SQLiteMailStore(dataDirectory: url)
            try await cli.deleteAccount(name: "alice")
            #expect(await woken(watchAlice, within: 5))
            #expect(!(await woken(watchBob, within: 1.5)))
        }
    }
}
