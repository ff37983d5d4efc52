import MailStore
import PostgresNIO

extension PostgresMailStore {
    /// Runs `body` with a connection of the pool, waiting at most `leaseTimeout` for one.
    ///
    /// The pool itself waits for a connection until its circuit breaker opens, a minute after the
    /// database stopped answering: a session would hang that long. Here a child task leases the
    /// connection and hands it over, holding the lease until `body` is done; when none comes in time
    /// the lease request is cancelled and the call fails as `.unavailable`, so that a client is told
    /// at once (NO [UNAVAILABLE]) and tries again later.
    func withLeasedConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let (leased, deliver) = AsyncStream.makeStream(of: PostgresConnection.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let client = self.client
        let leaseTimeout = self.leaseTimeout
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await client.withConnection { connection in
                        deliver.yield(connection)
                        deliver.finish()
                        for await _ in released {}
                    }
                } catch {
                    deliver.finish()
                    throw error
                }
            }
            let timer = Task {
                try await Task.sleep(for: leaseTimeout)
                deliver.finish()
            }
            defer {
                timer.cancel()
                release.finish()
            }
            var connections = leased.makeAsyncIterator()
            guard let connection = await connections.next() else {
                // No connection in time, or the lease failed (the pool cannot connect, or shuts down).
                group.cancelAll()
                try? await group.waitForAll()
                throw MailStoreError.unavailable
            }
            return try await body(connection)
        }
    }
}
