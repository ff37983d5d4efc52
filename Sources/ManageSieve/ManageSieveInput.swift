/// One element of a command line: a bare word (a command's name, a number) or a string.
public enum ManageSieveToken: Equatable, Sendable {
    case atom(String)
    /// A quoted string (its escapes undone) or a literal's octets.
    case string([UInt8])
}

/// What the input gives for each line the client sent.
public enum ManageSieveLine: Equatable, Sendable {
    case tokens([ManageSieveToken])
    case error(ManageSieveInputError)
}

/// A line that could not be read. After a fatal one the input is out of step with the client (it
/// cannot tell where the next command starts) and gives nothing more: the connection must close.
public enum ManageSieveInputError: Error, Equatable, Sendable {
    case syntax(String)
    /// A literal larger than `ManageSieveLimits.maxLiteralSize`; its octets were skipped.
    case literalTooLarge
    case tooManyArguments
    case lineTooLong

    public var isFatal: Bool { self == .lineTooLong }
}

/// The client's bytes cut into command lines (RFC 5804 §4), over any chunking.
///
///     command-line = token *(SP token) CRLF
///     token        = atom / quoted / literal
///     atom         = 1*1024ATOM-CHAR   ; "!" / %x23-27 / %x2A-5B / %x5D-7A / %x7C-7E
///     quoted       = DQUOTE *1024QUOTED-CHAR DQUOTE
///     QUOTED-CHAR  = SAFE-UTF8-CHAR / "\" ( DQUOTE / "\" )   ; no NUL, CR, LF
///     literal      = "{" number [ "+" ] "}" CRLF *OCTET
///
/// ManageSieve has no continuation request, so a synchronizing literal `{N}` from the client is taken
/// like `{N+}`: its octets follow at once. Bounded: the line outside literals, each quoted string and
/// atom, the tokens per line and each literal (`ManageSieveLimits`). A malformed line is skipped to its
/// end (a literal announced at the end of a skipped line is skipped too) and reported once.
public struct ManageSieveInput: Sendable {
    private enum State: Sendable {
        case between
        case atom
        case quoted(escaped: Bool)
        case literalLength(digits: Int, plus: Bool)
        case literalCR
        case literalLF
        case literalBody(remaining: Int)
        case afterLiteral
        case lineCR
        /// Skipping the rest of a bad line; `tail` holds its last octets to spot a literal header.
        case skipping(ManageSieveInputError, tail: [UInt8])
        case skippingLiteral(ManageSieveInputError, remaining: Int)
        case closed
    }

    public let limits: ManageSieveLimits
    private var buffer: [UInt8] = []
    private var position = 0
    private var state = State.between
    private var tokens: [ManageSieveToken] = []
    private var current: [UInt8] = []
    private var literalLength = 0
    private var lineLength = 0

    public init(limits: ManageSieveLimits) {
        self.limits = limits
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if case .closed = state { return }
        if position > 0 && position >= buffer.count / 2 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Octets received and not yet consumed (for tests of boundedness).
    public var bufferedCount: Int { buffer.count - position + current.count }

    /// The next complete line, or nil until more input arrives.
    public mutating func next() -> ManageSieveLine? {
        while position < buffer.count {
            if case .literalBody(let remaining) = state {
                let take = min(remaining, buffer.count - position)
                current.append(contentsOf: buffer[position..<(position + take)])
                position += take
                if take == remaining {
                    tokens.append(.string(current))
                    current = []
                    state = .afterLiteral
                } else {
                    state = .literalBody(remaining: remaining - take)
                }
                continue
            }
            if case .skippingLiteral(let error, let remaining) = state {
                let take = min(remaining, buffer.count - position)
                position += take
                state =
                    take == remaining
                    ? .skipping(error, tail: []) : .skippingLiteral(error, remaining: remaining - take)
                continue
            }
            if case .closed = state { return nil }
            let byte = buffer[position]
            position += 1
            if let line = step(byte) { return line }
        }
        return nil
    }

    /// Feeds one octet outside a literal's body; a line when it ends one.
    private mutating func step(_ byte: UInt8) -> ManageSieveLine? {
        lineLength += 1
        if lineLength > limits.maxLineLength {
            state = .closed
            return .error(.lineTooLong)
        }
        switch state {
        case .between:
            if byte != 0x0D && tokens.count >= limits.maxArguments { return fail(.tooManyArguments, byte) }
            switch byte {
            case 0x0D: state = .lineCR
            case 0x22:
                current = []
                state = .quoted(escaped: false)
            case 0x7B: state = .literalLength(digits: 0, plus: false)
            case _ where Self.isAtomChar(byte):
                current = [byte]
                state = .atom
            default: return fail(.syntax("unexpected character"), byte)
            }
        case .atom:
            if Self.isAtomChar(byte) {
                guard current.count < ManageSieveLimits.maxAtomLength else {
                    return fail(.syntax("atom too long"), byte)
                }
                current.append(byte)
            } else {
                tokens.append(.atom(String(decoding: current, as: UTF8.self)))
                current = []
                return separator(byte)
            }
        case .quoted(let escaped):
            if escaped {
                guard byte == 0x22 || byte == 0x5C else { return fail(.syntax("bad escape in a quoted string"), byte) }
                current.append(byte)
                state = .quoted(escaped: false)
            } else if byte == 0x5C {
                state = .quoted(escaped: true)
            } else if byte == 0x22 {
                tokens.append(.string(current))
                current = []
                state = .afterLiteral
            } else if byte == 0 || byte == 0x0D || byte == 0x0A {
                return fail(.syntax("unterminated quoted string"), byte)
            } else {
                guard current.count < ManageSieveLimits.maxQuotedLength else {
                    return fail(.syntax("quoted string longer than \(ManageSieveLimits.maxQuotedLength) octets"), byte)
                }
                current.append(byte)
            }
        case .literalLength(let digits, let plus):
            if (0x30...0x39).contains(byte) && !plus {
                guard digits < 10 else { return fail(.syntax("literal length too large"), byte) }
                literalLength = (digits == 0 ? 0 : literalLength) * 10 + Int(byte - 0x30)
                state = .literalLength(digits: digits + 1, plus: false)
            } else if byte == 0x2B && digits > 0 && !plus {
                state = .literalLength(digits: digits, plus: true)
            } else if byte == 0x7D && digits > 0 {
                state = .literalCR
            } else {
                return fail(.syntax("bad literal"), byte)
            }
        case .literalCR:
            guard byte == 0x0D else { return fail(.syntax("a literal's length ends its line"), byte) }
            state = .literalLF
        case .literalLF:
            guard byte == 0x0A else { return fail(.syntax("a literal's length ends its line"), byte) }
            guard literalLength <= limits.maxLiteralSize else {
                state = .skippingLiteral(.literalTooLarge, remaining: literalLength)
                tokens = []
                current = []
                return nil
            }
            current = []
            current.reserveCapacity(literalLength)
            if literalLength == 0 {
                tokens.append(.string([]))
                state = .afterLiteral
            } else {
                state = .literalBody(remaining: literalLength)
            }
        case .afterLiteral:
            return separator(byte)
        case .lineCR:
            guard byte == 0x0A else { return fail(.syntax("CR without LF"), byte) }
            return endLine(tokens.isEmpty ? .error(.syntax("empty line")) : .tokens(tokens))
        case .skipping(let error, var tail):
            if byte == 0x0A && tail.last == 0x0D {
                tail.removeLast()
                if let length = Self.literalHeader(tail) {
                    lineLength = 0
                    state = length > 0 ? .skippingLiteral(error, remaining: length) : .skipping(error, tail: [])
                    return nil
                }
                return endLine(.error(error))
            }
            tail.append(byte)
            if tail.count > 16 { tail.removeFirst(tail.count - 16) }
            state = .skipping(error, tail: tail)
        case .literalBody, .skippingLiteral, .closed:
            break
        }
        return nil
    }

    /// After a token: one space, or the line's end.
    private mutating func separator(_ byte: UInt8) -> ManageSieveLine? {
        switch byte {
        case 0x20: state = .between
        case 0x0D: state = .lineCR
        default: return fail(.syntax("expected a space or the end of the line"), byte)
        }
        return nil
    }

    private mutating func fail(_ error: ManageSieveInputError, _ byte: UInt8) -> ManageSieveLine? {
        tokens = []
        current = []
        // The octet that failed may be the CR of the line's end.
        state = .skipping(error, tail: byte == 0x0D ? [byte] : [])
        return nil
    }

    private mutating func endLine(_ line: ManageSieveLine) -> ManageSieveLine {
        tokens = []
        current = []
        lineLength = 0
        state = .between
        return line
    }

    /// The length of a literal header (`{N}` or `{N+}`) that `tail` ends with, if any.
    private static func literalHeader(_ tail: [UInt8]) -> Int? {
        guard tail.last == 0x7D, let open = tail.lastIndex(of: 0x7B) else { return nil }
        var digits = tail[(open + 1)..<(tail.count - 1)]
        if digits.last == 0x2B { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// RFC 5804 §4 ATOM-CHAR.
    static func isAtomChar(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x27).contains(byte) || (0x2A...0x5B).contains(byte) || (0x5D...0x7A).contains(byte)
            || (0x7C...0x7E).contains(byte)
    }
}
