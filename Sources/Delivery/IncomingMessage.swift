import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One message on its way in: its body is written, as it arrives, after the first recipient's trace
/// headers into a staged file; `finish()` makes one copy per further target, appends them all and
/// answers per recipient. Owned by one connection; its methods do blocking file I/O (call them off
/// the event loop).
public final class IncomingMessage: @unchecked Sendable {
    private let deliverer: Deliverer
    private let recipients: [(address: String, targets: [DeliveryTarget])]
    private let trace: TraceHeaders
    private var writer: StagedMessageWriter?
    private let firstPrefixLength: Int
    public private(set) var bodySize = 0
    /// The body went past the limit: nothing more is written, every recipient gets `.tooLarge`.
    public private(set) var tooLarge = false
    private var failed = false

    init(deliverer: Deliverer, recipients: [(address: String, targets: [DeliveryTarget])], trace: TraceHeaders) throws {
        precondition(recipients.contains { !$0.targets.isEmpty }, "a message needs a recipient")
        self.deliverer = deliverer
        self.recipients = recipients
        self.trace = trace
        let first = trace.prefix(recipient: recipients[0].address)
        firstPrefixLength = first.count
        let writer = try deliverer.store.stageMessage(maxSize: deliverer.maxMessageSize + first.count)
        try writer.write(first)
        self.writer = writer
    }

    /// Appends body bytes. Past the size limit the message is dropped (the caller reads on to the end
    /// of DATA and then answers `.tooLarge`); a write error ends in `.temporaryFailure`.
    public func write(_ bytes: [UInt8]) {
        guard let writer, !tooLarge, !failed else { return }
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

    /// Makes the message durable for every target and answers once per recipient, in order.
    public func finish() async -> [DeliveryOutcome] {
        let count = recipients.count
        if tooLarge { return Array(repeating: .tooLarge, count: count) }
        guard !failed, let writer else { return Array(repeating: .temporaryFailure, count: count) }
        self.writer = nil
        let pairs = recipients.enumerated().flatMap { index, recipient in
            recipient.targets.map { (index: index, address: recipient.address, target: $0) }
        }
        let staged: [StagedMessage]
        do {
            let handover = Handover(writer)
            staged = try await offLoop { [self] in try makeCopies(writer: handover.value, pairs: pairs) }
        } catch {
            deliverer.logger.error("delivery: cannot stage a message", metadata: ["error": "\(error)"])
            return Array(repeating: .temporaryFailure, count: count)
        }
        // Appends to different mailboxes run at once: the store commits them together.
        let outcomes = await withTaskGroup(of: (Int, DeliveryOutcome).self) { group in
            for (slot, pair) in pairs.enumerated() {
                let message = staged[slot]
                group.addTask { [deliverer, trace] in
                    (pair.index, await deliverer.append(message, to: pair.target, date: trace.date))
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
        guard lseek(fd, off_t(firstPrefixLength), SEEK_SET) >= 0 else {
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
