import NIOCore
import NIOPosix

/// A message to hand to the relay: the envelope and the message (CRLF line ends; dot-stuffing is the
/// relay client's job).
public struct OutgoingMail: Sendable, Equatable {
    /// The reverse path; "" sends the null path `<>` (auto-replies, RFC 5230 §5.1).
    public var envelopeFrom: String
    public var recipients: [String]
    public var data: [UInt8]

    public init(envelopeFrom: String, recipients: [String], data: [UInt8]) {
        self.envelopeFrom = envelopeFrom
        self.recipients = recipients
        self.data = data
    }
}

/// Hands messages to an SMTP relay (RFC 5321), one connection per message: EHLO, MAIL, RCPT for each
/// recipient, DATA, QUIT. A message is sent when `send` returns; any refusal or failure throws (the
/// caller decides whether to retry, see `RelayError.isPermanent`). Async: nothing blocks a thread.
public struct SMTPRelay: Sendable {
    public static let connectTimeoutSeconds: Int64 = 20
    /// How long one reply may take (RFC 5321 §4.5.3.2 suggests minutes; a local MTA answers at once).
    public static let replyTimeoutSeconds: Int64 = 120

    public let endpoint: RelayEndpoint
    /// The name this server gives in EHLO.
    public let heloName: String

    public init(endpoint: RelayEndpoint, heloName: String) {
        self.endpoint = endpoint
        self.heloName = heloName
    }

    public func send(_ mail: OutgoingMail) async throws {
        for address in [mail.envelopeFrom] + mail.recipients {
            guard Self.isSendable(address) else { throw RelayError.badAddress(address) }
        }
        guard !mail.recipients.isEmpty else { throw RelayError.badAddress("") }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(Self.connectTimeoutSeconds))
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(IdleStateHandler(readTimeout: .seconds(Self.replyTimeoutSeconds)))
                        try sync.addHandler(RelayTimeoutHandler())
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw RelayError.cannotConnect("\(endpoint): \(error)")
        }
        do {
            try await converse(channel, mail)
        } catch let error as RelayError {
            throw error
        } catch {
            throw RelayError.closed
        }
    }

    private func converse(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ mail: OutgoingMail) async throws {
        try await channel.executeThenClose { inbound, outbound in
            var dialogue = SMTPDialogue(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await dialogue.expect("the connection", code: 220)
            let extensions = try await dialogue.hello(heloName)
            var parameters = ""
            if mail.data.contains(where: { $0 >= 0x80 }) && extensions.contains("8BITMIME") {
                parameters += " BODY=8BITMIME"
            }
            let international = ([mail.envelopeFrom] + mail.recipients).contains { $0.utf8.contains { $0 >= 0x80 } }
            if international {
                guard extensions.contains("SMTPUTF8") else {
                    throw RelayError.refused(step: "MAIL", code: 553, text: "the relay does not offer SMTPUTF8")
                }
                parameters += " SMTPUTF8"
            }
            try await dialogue.command("MAIL FROM:<\(mail.envelopeFrom)>\(parameters)", step: "MAIL", code: 250)
            for recipient in mail.recipients {
                try await dialogue.command("RCPT TO:<\(recipient)>", step: "RCPT", accepting: [250, 251])
            }
            try await dialogue.command("DATA", step: "DATA", code: 354)
            try await dialogue.write(Self.dotStuffed(mail.data))
            try await dialogue.expect("the message", code: 250)
            try? await dialogue.command("QUIT", step: "QUIT", code: 221)
        }
    }

    /// No control characters and no angle brackets: the address goes between `<` and `>` as it is.
    static func isSendable(_ address: String) -> Bool {
        !address.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" }
    }

    /// RFC 5321 §4.5.2: a line that starts with "." gets another; bare LFs become CRLF; the message ends
    /// with CRLF and the terminating ".".
    static func dotStuffed(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 64 + 5)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in data {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { out.append(UInt8(ascii: "\r")) }
            out.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
            previous = byte
        }
        if !out.isEmpty && !atLineStart { out += Array("\r\n".utf8) }
        out += Array(".\r\n".utf8)
        return out
    }
}

/// The client's side of one SMTP conversation.
private struct SMTPDialogue {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var reader = SMTPReplyReader()
    var ready: [SMTPReply] = []

    mutating func reply() async throws -> SMTPReply {
        while ready.isEmpty {
            guard let buffer = try await inbound.next() else { throw RelayError.closed }
            ready += try reader.feed(buffer.readableBytesView)
        }
        return ready.removeFirst()
    }

    mutating func expect(_ step: String, code: Int) async throws {
        let reply = try await reply()
        guard reply.code == code else {
            throw RelayError.refused(step: step, code: reply.code, text: reply.lines.first ?? "")
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    mutating func command(_ line: String, step: String, code: Int) async throws {
        try await command(line, step: step, accepting: [code])
    }

    mutating func command(_ line: String, step: String, accepting codes: Set<Int>) async throws {
        try await write(Array((line + "\r\n").utf8))
        let reply = try await reply()
        guard codes.contains(reply.code) else {
            throw RelayError.refused(step: step, code: reply.code, text: reply.lines.first ?? "")
        }
    }

    /// EHLO, or HELO when EHLO is not understood; returns the extension keywords offered (upper case).
    mutating func hello(_ name: String) async throws -> Set<String> {
        try await write(Array("EHLO \(name)\r\n".utf8))
        let reply = try await reply()
        if reply.code == 250 {
            return Set(reply.lines.dropFirst().compactMap { $0.split(separator: " ").first?.uppercased() })
        }
        try await command("HELO \(name)", step: "HELO", code: 250)
        return []
    }
}

/// Closes the connection when the relay stays silent for `SMTPRelay.replyTimeoutSeconds`.
private final class RelayTimeoutHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(RelayError.timedOut)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
