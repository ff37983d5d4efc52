import Delivery
import LMTP
import Logging
import MailStore
import NIOConcurrencyHelpers
import NIOCore
import Telemetry

/// One LMTP connection: reads commands (pipelined, RFC 2920), answers them in batches once the input
/// read so far is used up, streams DATA to a staged file off the event loop, and answers once per
/// accepted recipient after the message (RFC 2033 §4.2) — each answer given only once that
/// recipient's copy is durable.
struct LMTPConnection {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    let deliverer: Deliverer
    let limits: LMTPLimits
    let peer: String
    let allowed: Bool
    let logger: Logger
    let handle: ConnectionRegistry.Handle

    init(
        channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, deliverer: Deliverer, limits: LMTPLimits, peer: String,
        allowed: Bool, logger: Logger
    ) {
        self.channel = channel
        self.deliverer = deliverer
        self.limits = limits
        self.peer = peer
        self.allowed = allowed
        self.logger = logger
        // RFC 5321 §3.8: a server going down says 421 before it closes.
        self.handle = ConnectionRegistry.Handle(channel: channel.channel, farewell: LMTPReply.shuttingDown.encoded)
    }

    /// The state of one connection's conversation.
    struct Progress {
        var conversation: LMTPConversation
        var input: LMTPInput
        /// The accepted recipients' addresses and accounts, in the conversation's order.
        var resolved: [(address: String, targets: [DeliveryTarget])] = []
        var message: IncomingMessage?
        /// DATA bytes not yet written to the staged file.
        var pending: [UInt8] = []
        var output: [UInt8] = []
        var transactions = 0
    }

    /// Bytes of DATA gathered before one write to the staged file.
    static let writeBatch = 256 * 1024

    func run() async {
        var progress: Progress?
        do {
            try await channel.executeThenClose { inbound, outbound in
                guard allowed else {
                    logger.notice("lmtp: connection refused: address not in lmtp_allow")
                    try await outbound.write(
                        ByteBuffer(bytes: LMTPReply(554, "5.7.1", "Not allowed to deliver here").encoded))
                    return
                }
                var state = Progress(
                    conversation: LMTPConversation(limits: limits, hostName: deliverer.hostName),
                    input: LMTPInput(maxLineLength: limits.maxLineLength))
                try await outbound.write(ByteBuffer(bytes: state.conversation.greeting.encoded))
                progress = state
                for try await buffer in inbound {
                    state.input.append(buffer.readableBytesView)
                    let close = await process(&state)
                    progress = state
                    if !state.output.isEmpty {
                        try await outbound.write(ByteBuffer(bytes: state.output))
                        state.output.removeAll(keepingCapacity: true)
                    }
                    if close { return }
                    let idle = state.conversation.mail == nil && !state.input.isInData
                    if handle.setIdle(idle), idle {
                        try await outbound.write(ByteBuffer(bytes: LMTPReply.shuttingDown.encoded))
                        return
                    }
                }
            }
        } catch {
            logger.debug("lmtp connection ended", metadata: ["error": "\(error)"])
        }
        // A connection that ended inside DATA delivers nothing (the client never saw an answer).
        if let message = progress?.message {
            let handover = Handover(message)
            _ = try? await offLoop { handover.value.abort() }
        }
    }

    /// Runs every event the buffered input holds; true when the connection is to close.
    private func process(_ state: inout Progress) async -> Bool {
        while let event = state.input.next() {
            switch event {
            case .data(let bytes):
                state.pending += bytes
                if state.pending.count >= Self.writeBatch { await writePending(&state) }
            case .dataEnd:
                await finishMessage(&state)
            case .line, .lineTooLong:
                var step = state.conversation.receive(event)
                if case .resolve(let address) = step {
                    let (reply, targets) = await resolve(address)
                    step = state.conversation.recipientResolved(reply)
                    if reply.isPositive { state.resolved.append((address.description, targets)) }
                }
                if state.conversation.recipients.isEmpty { state.resolved.removeAll() }
                switch step {
                case .reply(let reply): state.output += reply.encoded
                case .close(let reply):
                    state.output += reply.encoded
                    return true
                case .startData:
                    if await beginMessage(&state) {
                        state.output += LMTPReply.startData.encoded
                        state.input.beginData()
                    } else {
                        state.output += LMTPReply.temporaryFailure.encoded
                        state.conversation.dataFinished()
                        state.resolved.removeAll()
                    }
                case .resolve: break
                }
            }
        }
        return false
    }

    private func resolve(_ address: MailAddress) async -> (LMTPReply, [DeliveryTarget]) {
        switch await deliverer.resolve(localPart: address.localPart, domain: address.domain) {
        case .targets(let targets): return (.recipientOK, targets)
        case .noSuchUser: return (LMTPReply(550, "5.1.1", "<\(address)> No such user here"), [])
        case .foreignDomain: return (LMTPReply(550, "5.1.2", "<\(address)> Not a domain of this server"), [])
        case .temporaryFailure: return (.temporaryFailure, [])
        }
    }

    private func beginMessage(_ state: inout Progress) async -> Bool {
        state.transactions += 1
        let id = "\(String(UInt32.random(in: 0...UInt32.max), radix: 36))-\(state.transactions)"
        let trace = TraceHeaders(
            sender: state.conversation.mail?.reversePath?.description, hostName: deliverer.hostName,
            received: (state.conversation.clientName ?? "unknown", peer, id))
        let recipients = state.resolved
        do {
            state.message = try deliverer.begin(recipients: recipients, trace: trace)
            return true
        } catch {
            logger.error("lmtp: cannot stage a message", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func writePending(_ state: inout Progress) async {
        guard let message = state.message, !state.pending.isEmpty else {
            state.pending.removeAll()
            return
        }
        let bytes = state.pending
        state.pending.removeAll(keepingCapacity: true)
        let handover = Handover(message)
        _ = try? await offLoop { handover.value.write(bytes) }
    }

    /// The rest of the body goes with the fsync, the copies and the parse: one trip off the loop.
    private func finishMessage(_ state: inout Progress) async {
        let last = state.pending
        state.pending.removeAll(keepingCapacity: true)
        let addresses = state.resolved.map(\.address)
        let outcomes =
            await state.message?.finish(last: last) ?? Array(repeating: .temporaryFailure, count: addresses.count)
        state.message = nil
        for (address, outcome) in zip(addresses, outcomes) {
            Telemetry.delivery(Self.metric(outcome))
            state.output += Self.reply(outcome, address: address).encoded
        }
        state.conversation.dataFinished()
        state.resolved.removeAll()
    }

    static func metric(_ outcome: DeliveryOutcome) -> Telemetry.DeliveryResult {
        switch outcome {
        case .delivered: .delivered
        case .overQuota: .overQuota
        case .tooLarge: .tooLarge
        case .noSuchUser: .noSuchUser
        case .temporaryFailure: .temporaryFailure
        case .rejected: .rejected
        }
    }

    static func reply(_ outcome: DeliveryOutcome, address: String) -> LMTPReply {
        switch outcome {
        case .delivered: LMTPReply(250, "2.0.0", "<\(address)> Delivered")
        case .overQuota: LMTPReply(552, "5.2.2", "<\(address)> Mailbox full: over quota")
        case .tooLarge: LMTPReply(552, "5.3.4", "<\(address)> Message too big")
        case .noSuchUser: LMTPReply(550, "5.1.1", "<\(address)> No such user here")
        case .temporaryFailure: LMTPReply(451, "4.3.0", "<\(address)> Temporary failure, try again later")
        case .rejected(let reason): LMTPReply(550, "5.7.1", "<\(address)> \(reason)")
        }
    }
}
