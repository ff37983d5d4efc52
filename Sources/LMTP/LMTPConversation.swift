/// The sequence rules of one LMTP connection (RFC 2033 §4, RFC 5321 §4.1.4), without I/O: the server
/// feeds it parsed commands and does what each `Step` says; resolving a recipient and delivering are
/// the server's (they need the store).
public struct LMTPConversation: Sendable {
    public enum Step: Sendable, Equatable {
        /// Send this reply.
        case reply(LMTPReply)
        /// Send this reply and close the connection.
        case close(LMTPReply)
        /// Look the recipient up, then call `recipientResolved` with the reply.
        case resolve(MailAddress)
        /// Send `354` and read the message (`LMTPInput.beginData()`).
        case startData
    }

    public let limits: LMTPLimits
    public let hostName: String
    public private(set) var clientName: String?
    public private(set) var mail: MailCommand?
    /// Recipients accepted so far (RCPT answered 250), in order: DATA answers once for each.
    public private(set) var recipients: [MailAddress] = []
    private var pendingRecipient: MailAddress?
    private var commands = 0
    private var errorsInARow = 0

    public init(limits: LMTPLimits, hostName: String) {
        self.limits = limits
        self.hostName = hostName
    }

    /// RFC 5321 §4.2 / RFC 2033 §4.1: the greeting names the protocol.
    public var greeting: LMTPReply { LMTPReply(220, nil, "\(hostName) LMTP Postern ready") }

    /// The extensions LHLO lists (RFC 2033 §4.1; ENHANCEDSTATUSCODES RFC 2034, PIPELINING RFC 2920,
    /// 8BITMIME RFC 6152, SMTPUTF8 RFC 6531, SIZE RFC 1870).
    public var lhloReply: LMTPReply {
        LMTPReply(
            code: 250, enhanced: nil,
            lines: [
                hostName, "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8", "SIZE \(limits.maxMessageSize)",
            ])
    }

    /// The next step for one line of input (the framer's `.line` or `.lineTooLong`).
    public mutating func receive(_ event: LMTPInput.Event) -> Step {
        commands += 1
        guard commands <= limits.maxCommands else { return .close(.tooManyCommands) }
        switch event {
        case .line(let line):
            do {
                let command = try LMTPCommand.parse(line, utf8Allowed: mail?.smtpUTF8 ?? false)
                return counted(handle(command))
            } catch {
                return counted(.reply(error.reply))
            }
        case .lineTooLong: return counted(.reply(.lineTooLong))
        case .data, .dataEnd: return .reply(.unknownCommand)
        }
    }

    /// Closes the connection after too many refusals in a row (a client that is not speaking LMTP).
    private mutating func counted(_ step: Step) -> Step {
        guard case .reply(let reply) = step, reply.code >= 500 else {
            if case .reply = step { errorsInARow = 0 }
            return step
        }
        errorsInARow += 1
        return errorsInARow >= limits.maxErrors ? .close(.tooManyErrors) : step
    }

    private mutating func handle(_ command: LMTPCommand) -> Step {
        switch command {
        case .lhlo(let name):
            clientName = name
            reset()
            return .reply(lhloReply)
        case .smtpGreeting: return .reply(.useLHLO)
        case .noop: return .reply(.ok)
        case .vrfy: return .reply(.vrfy)
        case .help: return .reply(.help)
        case .quit: return .close(.bye)
        case .rset:
            reset()
            return .reply(.ok)
        case .mail(let command):
            guard clientName != nil else { return .reply(.lhloFirst) }
            guard mail == nil else { return .reply(.nestedMail) }
            if let size = command.size, size > limits.maxMessageSize {
                return .reply(LMTPReply(552, "5.3.4", "Message size exceeds the limit of \(limits.maxMessageSize)"))
            }
            mail = command
            return .reply(.senderOK)
        case .rcpt(let address):
            guard mail != nil else { return .reply(.mailFirst) }
            guard recipients.count < limits.maxRecipients else { return .reply(.tooManyRecipients) }
            pendingRecipient = address
            return .resolve(address)
        case .data:
            guard mail != nil else { return .reply(.mailFirst) }
            guard !recipients.isEmpty else { return .reply(.recipientFirst) }
            return .startData
        }
    }

    /// The answer to the pending RCPT: a positive one adds the recipient.
    public mutating func recipientResolved(_ reply: LMTPReply) -> Step {
        if reply.isPositive, let address = pendingRecipient { recipients.append(address) }
        pendingRecipient = nil
        return counted(.reply(reply))
    }

    /// After the message: the transaction is over (RFC 5321 §4.1.1.4), whatever the outcome.
    public mutating func dataFinished() {
        reset()
    }

    private mutating func reset() {
        mail = nil
        recipients = []
        pendingRecipient = nil
    }
}
