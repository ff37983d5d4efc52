/// A command of an LMTP client (RFC 2033 §4.1, with the commands of RFC 5321 §4.1.1).
public enum LMTPCommand: Sendable, Equatable {
    case lhlo(String)
    /// HELO or EHLO: SMTP's greetings, refused (RFC 2033 §4.1: an LMTP server must not answer them as SMTP does).
    case smtpGreeting
    case mail(MailCommand)
    case rcpt(MailAddress)
    case data
    case rset
    case noop
    case quit
    case vrfy
    case help
}

/// `MAIL FROM:` with the parameters of the advertised extensions.
public struct MailCommand: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case sevenBit
        case eightBitMIME
    }

    /// nil for the null reverse path `<>` (bounces).
    public var reversePath: MailAddress?
    /// RFC 1870 SIZE=: the client's estimate.
    public var size: Int?
    /// RFC 6152 BODY=.
    public var body: Body?
    /// RFC 6531 SMTPUTF8.
    public var smtpUTF8 = false

    public init(reversePath: MailAddress?, size: Int? = nil, body: Body? = nil, smtpUTF8: Bool = false) {
        self.reversePath = reversePath
        self.size = size
        self.body = body
        self.smtpUTF8 = smtpUTF8
    }
}

extension LMTPCommand {
    /// Why a line is not a command this server takes; `reply` is what the client gets.
    public struct ParseError: Error, Equatable {
        public var reply: LMTPReply
        init(_ reply: LMTPReply) { self.reply = reply }
        static func syntax(_ text: String) -> ParseError {
            ParseError(LMTPReply(501, "5.5.4", "Syntax error: \(text)"))
        }
        static func parameter(_ text: String) -> ParseError {
            ParseError(LMTPReply(555, "5.5.4", "Unsupported parameter: \(text)"))
        }
    }

    /// Parses one command line (without its CRLF). `utf8Allowed`: the transaction's MAIL had SMTPUTF8
    /// (for RCPT's address).
    ///
    ///     lhlo = "LHLO" SP ( Domain / address-literal ) CRLF          ; RFC 2033 §4.1
    ///     mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF  ; RFC 5321 §4.1.1.2
    ///     rcpt = "RCPT TO:" Forward-path [SP Rcpt-parameters] CRLF    ; RFC 5321 §4.1.1.3
    ///     Mail-parameters = esmtp-param *(SP esmtp-param)
    ///     esmtp-param     = esmtp-keyword ["=" esmtp-value]
    ///     esmtp-keyword   = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    ///     esmtp-value     = 1*(%d33-60 / %d62-126)
    ///     data / rset / quit = "DATA" / "RSET" / "QUIT" CRLF
    ///     noop / help / vrfy = "NOOP" / "HELP" / "VRFY" [SP String] CRLF
    ///
    /// Verbs are case-insensitive; one space after `FROM:`/`TO:` is tolerated, as common clients send it.
    public static func parse(_ line: [UInt8], utf8Allowed: Bool = false) throws(ParseError) -> LMTPCommand {
        let verbEnd = line.firstIndex(of: UInt8(ascii: " ")) ?? line.count
        let verb = String(decoding: line[..<verbEnd], as: UTF8.self).uppercased()
        let rest = verbEnd < line.count ? Array(line[(verbEnd + 1)...]) : []
        switch verb {
        case "LHLO":
            let name = String(decoding: rest, as: UTF8.self).trimmingSpaces
            guard !name.isEmpty, !name.contains(" "), MailPathParser.isDomain(Array(name.utf8)) else {
                throw .syntax("LHLO needs a host name")
            }
            return .lhlo(name)
        case "HELO", "EHLO": return .smtpGreeting
        case "DATA", "RSET", "QUIT":
            guard rest.isEmpty else { throw .syntax("\(verb) takes no argument") }
            return verb == "DATA" ? .data : verb == "RSET" ? .rset : .quit
        case "NOOP": return .noop
        case "HELP": return .help
        case "VRFY": return .vrfy
        case "MAIL": return .mail(try parseMail(rest))
        case "RCPT": return .rcpt(try parseRcpt(rest, utf8Allowed: utf8Allowed))
        default: throw ParseError(.unknownCommand)
        }
    }

    private static func afterPrefix(_ rest: [UInt8], _ prefix: String) throws(ParseError) -> Int {
        let expected = Array(prefix.utf8)
        guard rest.count >= expected.count,
            String(decoding: rest[..<expected.count], as: UTF8.self).uppercased() == prefix
        else { throw .syntax("expected \(prefix)") }
        var i = expected.count
        if i < rest.count, rest[i] == UInt8(ascii: " ") { i += 1 }
        return i
    }

    private static func parseMail(_ rest: [UInt8]) throws(ParseError) -> MailCommand {
        let start = try afterPrefix(rest, "FROM:")
        let parameters = try parameters(rest, pathFrom: start)
        var command = MailCommand(reversePath: nil)
        var seen: Set<String> = []
        for (keyword, value) in parameters.list {
            guard seen.insert(keyword).inserted else { throw .syntax("\(keyword) given twice") }
            switch keyword {
            case "SIZE":
                guard let value, !value.isEmpty, value.count <= 20, value.allSatisfy(\.isASCIIDigit) else {
                    throw .syntax("SIZE needs a number")
                }
                command.size = Int(value) ?? Int.max
            case "BODY":
                switch value?.uppercased() {
                case "7BIT": command.body = .sevenBit
                case "8BITMIME": command.body = .eightBitMIME
                default: throw .parameter("BODY=\(value ?? "")")
                }
            case "SMTPUTF8":
                guard value == nil else { throw .syntax("SMTPUTF8 takes no value") }
                command.smtpUTF8 = true
            default: throw .parameter(keyword)
            }
        }
        let path: (address: MailAddress?, end: Int)
        do {
            path = try MailPathParser.parse(
                rest, from: start, allowUTF8: command.smtpUTF8, allowNull: true, allowBareLocal: false)
        } catch {
            throw Self.pathError(error)
        }
        guard path.end == parameters.pathEnd else { throw .syntax("bad reverse path") }
        command.reversePath = path.address
        return command
    }

    private static func parseRcpt(_ rest: [UInt8], utf8Allowed: Bool) throws(ParseError) -> MailAddress {
        let start = try afterPrefix(rest, "TO:")
        let parameters = try parameters(rest, pathFrom: start)
        if let (keyword, _) = parameters.list.first { throw .parameter(keyword) }
        let path: (address: MailAddress?, end: Int)
        do {
            path = try MailPathParser.parse(
                rest, from: start, allowUTF8: utf8Allowed, allowNull: false, allowBareLocal: true)
        } catch {
            throw Self.pathError(error)
        }
        guard path.end == parameters.pathEnd, let address = path.address else { throw .syntax("bad forward path") }
        return address
    }

    private static func pathError(_ failure: MailPathParser.Failure) -> ParseError {
        switch failure {
        case .needsUTF8: return ParseError(.needsUTF8)
        case .syntax(let why): return .syntax(why)
        }
    }

    /// The path runs to the first `>` outside a quoted string; after it, space-separated parameters.
    private static func parameters(
        _ rest: [UInt8], pathFrom start: Int
    ) throws(ParseError) -> (pathEnd: Int, list: [(String, String?)]) {
        var i = start
        var quoted = false
        var escaped = false
        while i < rest.count {
            let c = rest[i]
            if escaped {
                escaped = false
            } else if quoted && c == UInt8(ascii: "\\") {
                escaped = true
            } else if c == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted && c == UInt8(ascii: ">") {
                break
            }
            i += 1
        }
        guard i < rest.count else { throw .syntax("expected '<address>'") }
        let pathEnd = i + 1
        var list: [(String, String?)] = []
        let tail = rest[pathEnd...]
        guard tail.isEmpty || tail.first == UInt8(ascii: " ") else { throw .syntax("expected a space after '>'") }
        for item in tail.split(separator: UInt8(ascii: " ")) {
            let equals = item.firstIndex(of: UInt8(ascii: "="))
            let keyword = String(decoding: item[..<(equals ?? item.endIndex)], as: UTF8.self).uppercased()
            guard let first = keyword.utf8.first, first.isASCIIAlphanumeric,
                keyword.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") })
            else { throw .syntax("bad parameter") }
            var value: String?
            if let equals {
                let bytes = item[(equals + 1)...]
                guard !bytes.isEmpty, bytes.allSatisfy({ $0 > 32 && $0 != UInt8(ascii: "=") && $0 != 127 }) else {
                    throw .syntax("bad value of \(keyword)")
                }
                value = String(decoding: bytes, as: UTF8.self)
            }
            list.append((keyword, value))
        }
        return (pathEnd, list)
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
