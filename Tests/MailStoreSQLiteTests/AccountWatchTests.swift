import Foundation
import MailStore
import MailStoreConformance
import MailStoreSQLite
import Testing

/// Sessions watch their account: its deletion reaches them, whether this process or another one
/// (a second opener of the same data folder, as `postern user delete` is) deleted it.
@Suite struct AccountWatchTests {
    /// A watch of `account` whose calls are counted.
    final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        private var token: WatchToken?

        init(_ hub: ChangeHub, _ account: AccountID) {
            token = hub.watch(account: account) { [weak self] in self?.called() }
        }

        private func called() { lock.withLock { count += 1 } }
        var calls: Int { lock.withLock { count } }
    }

    /// Whether the watch was called within `seconds`.
    func woken(_ watch: Watch, within seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if watch.calls > 0 { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return watch.calls > 0
    }

    @Test func deletionInThisProcessIsPublished() async throws {
        try await withSQLiteStore { store in
            let alice = try await MailStoreConformance.makeAccount(store)
            let bob = try await MailStoreConformance.makeAccount(store, "bob")
            let watchAlice = Watch(store.changeHub, alice)
            let watchBob = Watch(store.changeHub, bob)
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
            let watchAlice = Watch(server.changeHub, alice)
            let watchBob = Watch(server.changeHub, bob)
            let cli = try SQLiteMailStore(dataDirectory: url)
            try await cli.deleteAccount(name: "alice")
            #expect(await woken(watchAlice, within: 5))
            #expect(!(await woken(watchBob, within: 1.5)))
        }
    }
}
