/// One reply: a code, an enhanced status code (RFC 2034, RFC 3463) and one or more lines of text.
public struct LMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    /// `class.subject.detail`, e.g. "2.1.5"; nil for the greeting and LHLO's extension lines.
    public var enhanced: String?
    public var lines: [String]

    public init(_ code: Int, _ enhanced: String?, _ text: String) {
        self.code = code
        self.enhanced = enhanced
        self.lines = [text]
    }

    public init(code: Int, enhanced: String?, lines: [String]) {
        self.code = code
        self.enhanced = enhanced
        self.lines = lines.isEmpty ? [""] : lines
    }

    public var isPositive: Bool { (200..<400).contains(code) }

    /// RFC 5321 §4.2: `code-text CRLF` for all lines but the last, `code SP text CRLF` for the last;
    /// the enhanced code starts each line's text (RFC 2034 §4).
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            out += Array(String(code).utf8)
            out.append(index == lines.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
            if let enhanced {
                out += Array(enhanced.utf8)
                if !line.isEmpty { out.append(UInt8(ascii: " ")) }
            }
            out += Array(line.utf8)
            out += [13, 10]
        }
        return out
    }

    public var description: String { String(decoding: encoded, as: UTF8.self) }
}

extension LMTPReply {
    public static let ok = LMTPReply(250, "2.0.0", "OK")
    public static let senderOK = LMTPReply(250, "2.1.0", "Sender OK")
    public static let recipientOK = LMTPReply(250, "2.1.5", "Recipient OK")
    public static let startData = LMTPReply(354, nil, "Start mail input; end with <CRLF>.<CRLF>")
    public static let bye = LMTPReply(221, "2.0.0", "Bye")
    public static let unknownCommand = LMTPReply(500, "5.5.1", "Unknown command")
    public static let lineTooLong = LMTPReply(500, "5.5.2", "Line too long")
    public static let useLHLO = LMTPReply(500, "5.5.1", "This is LMTP: say LHLO (RFC 2033)")
    public static let lhloFirst = LMTPReply(503, "5.5.1", "Say LHLO first")
    public static let mailFirst = LMTPReply(503, "5.5.1", "MAIL first")
    public static let nestedMail = LMTPReply(503, "5.5.1", "MAIL already given; RSET to start over")
    public static let recipientFirst = LMTPReply(503, "5.5.1", "No valid recipients")
    public static let tooManyRecipients = LMTPReply(452, "4.5.3", "Too many recipients")
    public static let noSuchUser = LMTPReply(550, "5.1.1", "No such user here")
    public static let notOurDomain = LMTPReply(550, "5.1.2", "Not a domain of this server")
    public static let needsUTF8 = LMTPReply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8")
    public static let tooBig = LMTPReply(552, "5.3.4", "Message too big")
    public static let overQuota = LMTPReply(552, "5.2.2", "Mailbox full: over quota")
    public static let temporaryFailure = LMTPReply(451, "4.3.0", "Temporary failure, try again later")
    public static let tooManyErrors = LMTPReply(421, "4.7.0", "Too many errors, closing connection")
    public static let tooManyCommands = LMTPReply(421, "4.7.0", "Too many commands, closing connection")
    public static let shuttingDown = LMTPReply(421, "4.3.2", "Server shutting down")
    public static let timeout = LMTPReply(421, "4.4.2", "Idle too long, closing connection")
    public static let vrfy = LMTPReply(252, "2.5.0", "Cannot VRFY; send mail and see")
    public static let help = LMTPReply(214, "2.0.0", "Commands: LHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP")
}
