import Foundation
import IMAPSession
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One message on its way in: its body is written, as it arrives, after the first recipient's trace
/// headers into a staged file; `finish(last:)` makes one copy per further target, appends them all and
/// answers per recipient. Owned by one connection; `write` and `abort` do blocking file I/O (call them
/// off the event loop). The file is made at the first write, so a small message costs one trip off the
/// loop in all: `finish(last:)` writes it whole, fsyncs, copies and parses there.
public final class IncomingMessage: @unchecked Sendable {
    private let deliverer: Deliverer
    private let recipients: [(address: String, targets: [DeliveryTarget])]
    private let trace: TraceHeaders
    private var writer: StagedMessageWriter?
    private let firstPrefix: [UInt8]
    public private(set) var bodySize = 0
    /// The body went past the limit: nothing more is written, every recipient gets `.tooLarge`.
    public private(set) var tooLarge = false
    private var failed = false

    init(deliverer: Deliverer, recipients: [(address: String, targets: [DeliveryTarget])], trace: TraceHeaders) throws {
        precondition(recipients.contains { !$0.targets.isEmpty }, "a message needs a recipient")
        self.deliverer = deliverer
        self.recipients = recipients
        self.trace = trace
        firstPrefix = trace.prefix(recipient: recipients[0].address)
    }

    /// Appends body bytes. Past the size limit the message is dropped (the caller reads on to the end
    /// of DATA and then answers `.tooLarge`); a write error ends in `.temporaryFailure`.
    public func write(_ bytes: [UInt8]) {
        guard !tooLarge, !failed else { return }
        if writer == nil && bodySize == 0 {
            do {
                let created = try deliverer.store.stageMessage(maxSize: deliverer.maxMessageSize + firstPrefix.count)
                try created.write(firstPrefix)
                writer = created
            } catch {
                failed = true
                return
            }
        }
        guard let writer else { return }
        bodySize += bytes.count
        guard bodySize <= deliverer.maxMessageSize else {
            tooLarge = true
            writer.abort()
            self.writer = nil
            return
        }
        do {
            try writer.write(bytes)
        } catch {
            failed = true
            self.writer = nil
        }
    }

    /// Drops the message (the connection ended before the end of DATA).
    public func abort() {
        writer?.abort()
        writer = nil
    }

    /// Writes `last` (the end of the body), makes the message durable for every target and answers once
    /// per recipient, in order.
    public func finish(last: [UInt8] = []) async -> [DeliveryOutcome] {
        let count = recipients.count
        let pairs = recipients.enumerated().flatMap { index, recipient in
            recipient.targets.map { (index: index, address: recipient.address, target: $0) }
        }
        let staged: [(message: StagedMessage, structure: MessageStructure?)]
        do {
            staged = try await offLoop { [self] in
                // An empty body still makes its file (the trace headers alone).
                write(last)
                guard !tooLarge else { throw MailStoreError.messageTooLarge }
                guard !failed, let writer else { throw MailStoreError.internal("delivery: the staged file failed") }
                self.writer = nil
                return try makeCopies(writer: writer, pairs: pairs).map { message in
                    (message, IMAPSession.storedStructure(ofFileAt: message.url))
                }
            }
        } catch MailStoreError.messageTooLarge {
            return Array(repeating: .tooLarge, count: count)
        } catch {
            deliverer.logger.error("delivery: cannot stage a message", metadata: ["error": "\(error)"])
            return Array(repeating: .temporaryFailure, count: count)
        }
        // Appends to different mailboxes run at once: the store commits them together.
        let outcomes = await withTaskGroup(of: (Int, DeliveryOutcome).self) { group in
            for (slot, pair) in pairs.enumerated() {
                let (message, structure) = staged[slot]
                group.addTask { [deliverer, trace] in
                    (
                        pair.index,
                        await deliverer.append(
                            message, structure: structure, to: pair.target, date: trace.date, recipient: pair.address,
                            sender: trace.sender ?? "")
                    )
                }
            }
            var byRecipient = Array(repeating: [DeliveryOutcome](), count: count)
            for await (index, outcome) in group { byRecipient[index].append(outcome) }
            return byRecipient
        }
        return outcomes.map(Self.combine)
    }

    /// One recipient's answer from its targets' (an alias may name several accounts): a temporary
    /// failure wins (the client retries), then any delivery, then the first refusal.
    public static func combine(_ outcomes: [DeliveryOutcome]) -> DeliveryOutcome {
        if outcomes.isEmpty { return .noSuchUser }
        if outcomes.contains(.temporaryFailure) { return .temporaryFailure }
        if outcomes.contains(.delivered) { return .delivered }
        return outcomes[0]
    }

    /// Finishes the first file and copies its body behind each further target's trace headers.
    private func makeCopies(
        writer: StagedMessageWriter, pairs: [(index: Int, address: String, target: DeliveryTarget)]
    ) throws -> [StagedMessage] {
        let first = try writer.finish()
        var staged = [first]
        do {
            for pair in pairs.dropFirst() {
                let prefix = trace.prefix(recipient: pair.address)
                staged.append(try copyBody(of: first, behind: prefix))
            }
        } catch {
            for message in staged { message.discard() }
            throw error
        }
        return staged
    }

    private func copyBody(of source: StagedMessage, behind prefix: [UInt8]) throws -> StagedMessage {
        let copy = try deliverer.store.stageMessage(maxSize: deliverer.maxMessageSize + prefix.count)
        try copy.write(prefix)
        let fd = open(source.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MailStoreError.internal("delivery: cannot reopen a staged message") }
        defer { close(fd) }
        guard lseek(fd, off_t(firstPrefix.count), SEEK_SET) >= 0 else {
            throw MailStoreError.internal("delivery: cannot seek in a staged message")
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MailStoreError.internal("delivery: cannot read a staged message")
            }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try copy.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return try copy.finish()
    }
}
