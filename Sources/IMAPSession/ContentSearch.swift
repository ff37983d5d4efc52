import Foundation
import IMAPWire
import MIME
import MailStore

/// The part of SEARCH that reads messages (TEXT, BODY, header keys), spread over the machine's cores
/// (`Benchmarks/run.sh bigmailbox`, SEARCH TEXT): reading, decoding and matching one message does not depend on another, and a session
/// waits for the whole answer anyway.
///
/// Chunks of a batch run as child tasks on the global concurrent executor, at most one per core (and
/// four) at a time, so the session's event loop stays free for its other connections meanwhile. Each
/// chunk reads its own parse results and message files; the store is `Sendable` and its small reads
/// block their thread only briefly.
struct ContentSearch: Sendable {
    struct Candidate: Sendable {
        var sequenceNumber: Int
        var meta: MessageMeta
        var recent: Bool
    }

    struct Hit: Sendable {
        var sequenceNumber: Int
        var uid: UID
        var modSeq: ModSeq
    }

    let store: any MailStore
    let account: AccountID
    let mailbox: MailboxID
    let key: SearchKey
    let evaluator: SearchEvaluator

    /// Messages per child task.
    static let chunk = 64
    /// Child tasks at a time: one per core, at most four, so that one session's search cannot take every
    /// core of a big machine from the other sessions.
    static let parallelism = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// The candidates that match, ascending as given.
    func matches(_ candidates: [Candidate]) async throws -> [Hit] {
        let chunks = stride(from: 0, to: candidates.count, by: Self.chunk).map {
            Array(candidates[$0..<min($0 + Self.chunk, candidates.count)])
        }
        if chunks.count <= 1 {
            guard let only = chunks.first else { return [] }
            return try await evaluate(only)
        }
        var results = [[Hit]](repeating: [], count: chunks.count)
        try await withThrowingTaskGroup(of: (Int, [Hit]).self) { group in
            var next = 0
            func start() {
                let index = next
                let chunk = chunks[index]
                next += 1
                // Not on the parent's event loop: the chunks are what should run in parallel.
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    (index, try await evaluate(chunk))
                }
            }
            while next < min(Self.parallelism, chunks.count) { start() }
            while let (index, hits) = try await group.next() {
                results[index] = hits
                if next < chunks.count { start() }
            }
        }
        return results.flatMap { $0 }
    }

    private func evaluate(_ chunk: [Candidate]) async throws -> [Hit] {
        let uids = UIDSet(chunk.map { $0.meta.uid })
        let stored = try await store.structures(account: account, mailbox: mailbox, uids: uids)
        var hits: [Hit] = []
        var next = 0
        let headerOnly = SearchEvaluator.readsHeaderOnly(key)
        // Messages that are gone meanwhile are skipped: they no longer match anything.
        try await store.forEachContent(account: account, mailbox: mailbox, uids: uids) { uid, content in
            // Both ascending by UID.
            while next < chunk.count && chunk[next].meta.uid < uid { next += 1 }
            guard next < chunk.count && chunk[next].meta.uid == uid else { return }
            let candidate = chunk[next]
            var structure: ParsedMessage?
            if let kept = stored[uid], kept.version == ParsedMessage.serializationVersion {
                structure = ParsedMessage(serialized: kept.data)
            }
            // Header keys alone: the message's header is all there is to read.
            let bytes =
                if headerOnly, let structure {
                    try content.read(upTo: structure.root.header.upperBound)
                } else {
                    try await content.readAll()
                }
            let message = SearchEvaluator.Message(
                sequenceNumber: candidate.sequenceNumber, meta: candidate.meta, recent: candidate.recent,
                content: MIMEMessage(bytes: bytes, structure: structure ?? MessageParser.parse(bytes)))
            if evaluator.matches(key, message) {
                hits.append(Hit(sequenceNumber: candidate.sequenceNumber, uid: uid, modSeq: candidate.meta.modSeq))
            }
        }
        return hits
    }
}
