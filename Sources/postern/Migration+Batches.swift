import Foundation
import IMAPClient
import IMAPSession
import MailStore

/// A staged message file as the sink of a FETCH literal.
final class StagingSink: LiteralSink {
    let writer: StagedMessageWriter
    init(_ writer: StagedMessageWriter) { self.writer = writer }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try writer.write(bytes) }
}

/// A batch being parsed and appended in the background while the next one is fetched.
struct PendingBatch {
    var order: [UInt32]
    var bytes: Int
    var task: Task<[AppendResult?], any Error>
}

extension Migration {
    /// The plan's new messages in batches: each fetched (`fetchBatch`), then parsed and appended in a
    /// task of its own while the next batch is fetched, then recorded (`settle`).
    func copyMessages(_ plan: FolderPlan) async throws {
        var pending: PendingBatch?
        func flush(_ batch: [(uid: UInt32, size: Int)]) async throws {
            let (order, appends, bytes) = try await fetchBatch(batch, of: plan)
            if let previous = pending {
                pending = nil
                try await settle(previous, of: plan)
            }
            guard !appends.isEmpty else { return }
            pending = PendingBatch(order: order, bytes: bytes, task: startAppend(appends, into: plan.mailbox.id))
        }
        do {
            var batch: [(uid: UInt32, size: Int)] = []
            var batchBytes = 0
            for message in plan.newMessages {
                if message.size > Self.maxMessageSize {
                    warn(
                        "folder \(plan.folder.name): message UID \(message.uid) skipped: \(message.size) bytes, over the limit"
                    )
                    totals.skipped += 1
                    continue
                }
                if batch.count == Self.batchMessages || (batchBytes + message.size > Self.batchBytes && !batch.isEmpty)
                {
                    try await flush(batch)
                    batch = []
                    batchBytes = 0
                }
                batch.append(message)
                batchBytes += message.size
            }
            if !batch.isEmpty { try await flush(batch) }
            if let last = pending { try await settle(last, of: plan) }
        } catch {
            // The batch in flight commits or not on its own; what it committed is recorded if possible.
            if let last = pending { try? await settle(last, of: plan) }
            throw error
        }
    }

    /// UID FETCH set (UID FLAGS INTERNALDATE BODY.PEEK[]): each message streamed into a staged file,
    /// synced once the whole batch is written (so the file system commits them together).
    func fetchBatch(
        _ batch: [(uid: UInt32, size: Int)], of plan: FolderPlan
    ) async throws
        -> (order: [UInt32], appends: [StagedAppend], bytes: Int)
    {
        let wanted = Set(batch.map(\.uid))
        let store = self.store
        var fetched: [UInt32: (StagedMessageWriter, FetchData)] = [:]
        connection.literalSink = { _ in StagingSink(try store.stageMessage(maxSize: Self.maxMessageSize)) }
        defer { connection.literalSink = nil }
        let set = batch.map { String($0.uid) }.joined(separator: ",")
        try await connection.command("UID FETCH \(set) (UID FLAGS INTERNALDATE BODY.PEEK[])", label: "UID FETCH") {
            guard case .fetch(_, let data) = $0, let uid = data.uid, wanted.contains(uid), let body = data.body else {
                return
            }
            switch body {
            case .sunk(let sink as StagingSink, _): fetched[uid] = (sink.writer, data)
            case .bytes(let bytes):
                let writer = try store.stageMessage(maxSize: Self.maxMessageSize)
                try writer.write(bytes)
                fetched[uid] = (writer, data)
            default: return
            }
        }
        var appends: [StagedAppend] = []
        var order: [UInt32] = []
        var bytes = 0
        for uid in fetched.keys.sorted() {
            let (writer, data) = fetched[uid]!
            let staged = try writer.finish()
            bytes += staged.size
            appends.append(
                StagedAppend(
                    message: staged, flags: MessageFlags(names: data.flags ?? []),
                    internalDate: data.internalDate ?? Date(), internalDateZone: data.internalDateZone ?? 0,
                    importKey: plan.keyPrefix + String(uid)))
            order.append(uid)
        }
        return (order, appends, bytes)
    }

    /// Parses the messages (what APPEND stores with them) and appends them in one transaction, exactly
    /// once: a message whose key is already recorded (by a run that stopped before its state record, or
    /// one running at the same time) is not appended again.
    func startAppend(_ appends: [StagedAppend], into mailbox: MailboxID) -> Task<[AppendResult?], any Error> {
        let (store, account) = (self.store, self.account)
        return Task {
            var appends = appends
            for index in appends.indices {
                appends[index].structure = IMAPSession.storedStructure(ofFileAt: appends[index].message.url)
            }
            return try await store.appendOnce(account: account, mailbox: mailbox, messages: appends)
        }
    }

    /// Waits for a batch's transaction, then records which copy each source UID became.
    func settle(_ batch: PendingBatch, of plan: FolderPlan) async throws {
        let results = try await batch.task.value
        let copies = zip(batch.order, results).compactMap { uid, result in result.map { [uid, $0.uid] } }
        try log.append(record(plan, copies: copies, highestModSeq: nil))
        totals.messagesCopied += copies.count
        totals.bytesCopied += batch.bytes
        progress?.advance(messages: batch.order.count, bytes: batch.bytes)
    }
}
