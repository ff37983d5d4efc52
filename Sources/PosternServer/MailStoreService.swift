import IMAPSession
import Logging
import MailStore
import MailStoreSQLite
import ServiceLifecycle

/// Keeps the mail store open for the life of a `ServiceGroup` and closes it at the end.
///
/// A group shuts its services down one at a time, from the last listed to the first: listed before
/// the servers that use the store, this closes it only once they have stopped (and their sessions
/// have ended). Under cancellation it closes at once.
public struct MailStoreService: Service {
    let store: SQLiteMailStore
    /// Whether the full-text index is kept up to date while the store is open.
    let indexing: Bool
    let logger: Logger

    public init(store: SQLiteMailStore, indexing: Bool = true, logger: Logger) {
        self.store = store
        self.indexing = indexing
        self.logger = logger
    }

    public func run() async throws {
        // The full-text index catches up and then follows new messages for as long as the store is open.
        let indexer = SearchIndexer()
        let logger = logger
        if indexing {
            indexer.start(store: store, maker: SearchDocument.maker) { error in
                guard !(error is CancellationError) else { return }
                logger.warning("search index: indexing failed, trying again later", metadata: ["error": "\(error)"])
            }
        }
        // Returns on graceful shutdown, throws on cancellation: either way the store closes.
        try? await gracefulShutdown()
        await indexer.stop()
        // How many write operations shared each durable commit (group commit) over the store's life.
        let writes = store.writeStatistics
        logger.notice(
            "mail store: write operations and their commits",
            metadata: ["operations": "\(writes.operations)", "commits": "\(writes.transactions)"])
        store.close()
        logger.info("mail store closed")
    }
}
