import NIOCore

/// Splits the bytes of one connection into commands, incrementally, whatever the chunking.
///
/// Feed bytes with `append(_:)`, then call `next()` until it returns nil. Literals are collected into the
/// command's frame (bounded by `IMAPLimits`), except APPEND messages, which are streamed. Memory never grows
/// with an announced literal size before its bytes arrive.
public struct CommandFramer: Sendable {
    public let limits: IMAPLimits

    private var buffer = ByteBuffer()
    /// Bytes from the reader index known to contain no LF.
    private var scanned = 0
    private var state: State = .command
    /// The command being collected: its exact bytes, lines with CRLF and literals inline.
    private var frame: [UInt8] = []
    private var literalCount = 0
    private var pending: [FramerEvent] = []
    private var rawLineRequested = false
    private var appendTag = ""
    private var appendMessage: LiteralAnnouncement?
    /// The current APPEND message came as `UTF8 (literal8)`: its ")" is due after the bytes (RFC 6855 §4).
    private var appendClosingParenthesis = false
    /// The command streaming its message is REPLACE: exactly one message (RFC 8508 §3.2).
    private var appendIsReplace = false

    private enum State: Sendable {
        /// Reading the lines of a command into `frame`.
        case command
        /// Copying this many more literal bytes into `frame`.
        case literal(Int)
        /// Discarding this many bytes of a refused literal, then the rest of the command.
        case skipBytes(Int, Completion)
        /// Discarding the rest of a refused command.
        case skipLines(Completion)
        case appendDecision
        case appendBytes(Int)
        /// The line after an APPEND message: CRLF, or the options of the next message.
        case appendLine
        case failed
    }

    private enum Completion: Sendable {
        case commandError(String?, String)
        case appendError(String, String)
        case silent
    }

    private enum LineRead {
        case line([UInt8])
        case needMore
        case tooLong
    }

    public init(limits: IMAPLimits = .default) {
        self.limits = limits
    }

    /// Bytes received and not yet consumed.
    public var bufferedByteCount: Int { buffer.readableBytes }

    /// Bytes the input buffer holds allocated (see `retainedCapacity`).
    public var bufferCapacity: Int { buffer.capacity }

    /// An empty buffer larger than this is given up rather than kept: after a burst (a pipelined
    /// batch, a large APPEND) a connection would otherwise hold its largest buffer for good.
    public static let retainedCapacity = 16 * 1024

    public mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            if buffer.capacity > Self.retainedCapacity {
                buffer = ByteBuffer()
            } else {
                buffer.clear()
            }
        } else if buffer.readerIndex > 64 * 1024 {
            buffer.discardReadBytes()
        }
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// Drops every byte received and not consumed yet (after STARTTLS), and any partly read command.
    public mutating func discardBuffered() {
        buffer.clear()
        scanned = 0
        pending.removeAll()
        resetFrame()
        if case .failed = state { return }
        state = .command
    }

    /// Takes every byte received and not consumed yet and leaves the framer empty at a command boundary.
    /// After COMPRESS (RFC 4978) what the client sent behind the command is compressed: the connection
    /// inflates it and appends the result again.
    public mutating func takeBuffered() -> ByteBuffer {
        let rest = buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
        discardBuffered()
        return rest
    }

    /// The next CRLF-terminated line, at a command boundary, is returned as `.rawLine` without parsing.
    public mutating func expectRawLine() {
        rawLineRequested = true
    }

    /// After `.appendMessageBegin`: take the message. A synchronizing literal first yields `.continuationRequest`.
    /// A message larger than `limits.maxAppendSize` is refused instead (`.appendError`, or `.fatal` if the
    /// client is already sending it).
    public mutating func acceptAppendMessage() {
        guard case .appendDecision = state, let message = appendMessage else { return }
        guard message.size <= limits.maxAppendSize else {
            if message.synchronizing {
                pending.append(.appendError(tag: appendTag, message: "[TOOBIG] message too large"))
            }
            rejectAppendMessage()
            return
        }
        if message.synchronizing { pending.append(.continuationRequest) }
        state = .appendBytes(message.size)
    }

    /// After `.appendMessageBegin`: refuse the message (the owner answers `tag NO ...`). A synchronizing literal
    /// is never sent by the client; a non-synchronizing one is skipped with the rest of the command.
    public mutating func rejectAppendMessage() {
        guard case .appendDecision = state, let message = appendMessage else { return }
        appendMessage = nil
        if message.synchronizing {
            state = .command
        } else if message.size <= limits.maxAppendSize {
            state = .skipBytes(message.size, .silent)
        } else {
            fail("APPEND message too large to skip")
        }
    }

    /// The next event, or nil when more bytes (or an APPEND decision) are needed.
    public mutating func next() -> FramerEvent? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            guard step() else { return nil }
        }
    }

    // MARK: - Steps

    /// Does one unit of work; false if nothing can be done now.
    private mutating func step() -> Bool {
        switch state {
        case .failed, .appendDecision:
            return false
        case .command:
            return stepCommandLine()
        case .literal(let remaining):
            if remaining == 0 {
                state = .command
                return true
            }
            let take = min(remaining, buffer.readableBytes)
            guard take > 0, let bytes = buffer.readBytes(length: take) else { return false }
            scanned = 0
            frame.append(contentsOf: bytes)
            state = .literal(remaining - take)
            return true
        case .skipBytes(let remaining, let completion):
            if remaining == 0 {
                state = .skipLines(completion)
                return true
            }
            let take = min(remaining, buffer.readableBytes)
            guard take > 0 else { return false }
            buffer.moveReaderIndex(forwardBy: take)
            scanned = 0
            state = .skipBytes(remaining - take, completion)
            return true
        case .skipLines(let completion):
            switch readLine() {
            case .needMore: return false
            case .tooLong: fail("line too long")
            case .line(let content):
                if let literal = LiteralAnnouncement.find(in: content), !literal.synchronizing {
                    if literal.size <= skipLimit(completion) {
                        state = .skipBytes(literal.size, completion)
                    } else {
                        fail("literal too large to skip")
                    }
                } else {
                    finish(completion)
                }
            }
            return true
        case .appendBytes(let remaining):
            if remaining == 0 {
                pending.append(.appendMessageEnd)
                state = .appendLine
                return true
            }
            let take = min(remaining, buffer.readableBytes, limits.maxAppendChunkSize)
            guard take > 0, let slice = buffer.readSlice(length: take) else { return false }
            scanned = 0
            pending.append(.appendMessageBytes(slice))
            state = .appendBytes(remaining - take)
            return true
        case .appendLine:
            return stepAppendLine()
        }
    }

    private mutating func stepCommandLine() -> Bool {
        let content: [UInt8]
        switch readLine() {
        case .needMore: return false
        case .tooLong:
            fail("line too long")
            return true
        case .line(let c): content = c
        }
        if frame.isEmpty, rawLineRequested {
            rawLineRequested = false
            pending.append(.rawLine(ByteBuffer(bytes: content)))
            return true
        }
        if frame.isEmpty, content.isEmpty { return true }
        let segmentStart = frame.count
        frame.append(contentsOf: content)
        frame.append(contentsOf: [0x0D, 0x0A])

        guard let literal = LiteralAnnouncement.find(in: content) else {
            if frame.count > limits.maxCommandSize {
                pending.append(.commandError(tag: GrammarParser.leadingTag(frame), message: "command too long"))
            } else {
                switch GrammarParser.parseCommand(frame, limits: limits) {
                case .success(let command): pending.append(.command(command))
                case .failure(let failure): pending.append(.commandError(tag: failure.tag, message: failure.message))
                }
            }
            resetFrame()
            return true
        }

        if let start = GrammarParser.parseAppendStart(Array(frame[..<(segmentStart + literal.start)]), limits: limits) {
            resetFrame()
            appendTag = start.tag
            appendMessage = literal
            appendClosingParenthesis = start.utf8
            appendIsReplace = start.replacing != nil
            if let replacing = start.replacing {
                pending.append(
                    .replaceStart(tag: start.tag, target: replacing.target, uid: replacing.uid, mailbox: start.mailbox))
            } else {
                pending.append(.appendStart(tag: start.tag, mailbox: start.mailbox))
            }
            pending.append(
                .appendMessageBegin(
                    flags: start.flags, internalDate: start.date, size: literal.size,
                    synchronizing: literal.synchronizing, binary: literal.binary))
            state = .appendDecision
            return true
        }

        literalCount += 1
        let refusal: String?
        if literal.size > limits.maxShortLiteralSize {
            refusal = "literal too large"
        } else if literalCount > limits.maxLiteralsPerCommand {
            refusal = "too many literals"
        } else if literal.size > limits.maxCommandSize - frame.count {
            refusal = "command too long"
        } else {
            refusal = nil
        }
        guard let refusal else {
            if literal.synchronizing { pending.append(.continuationRequest) }
            state = .literal(literal.size)
            return true
        }
        let completion = Completion.commandError(GrammarParser.leadingTag(frame), refusal)
        resetFrame()
        refuse(literal, completion)
        return true
    }

    private mutating func stepAppendLine() -> Bool {
        var content: [UInt8]
        switch readLine() {
        case .needMore: return false
        case .tooLong:
            fail("line too long")
            return true
        case .line(let c): content = c
        }
        if appendClosingParenthesis {
            appendClosingParenthesis = false
            guard content.first == UInt8(ascii: ")") else {
                pending.append(.appendError(tag: appendTag, message: "expected ) after the UTF8 message"))
                state = .command
                return true
            }
            content.removeFirst()
        }
        if content.isEmpty {
            pending.append(.appendEnd)
            state = .command
            return true
        }
        guard let literal = LiteralAnnouncement.find(in: content) else {
            pending.append(.appendError(tag: appendTag, message: "invalid APPEND syntax"))
            state = .command
            return true
        }
        if appendIsReplace {
            refuse(literal, .appendError(appendTag, "REPLACE takes exactly one message"))
            return true
        }
        do {
            let (flags, date, utf8) = try GrammarParser.parseAppendContinuation(
                Array(content[..<literal.start]), limits: limits)
            appendMessage = literal
            appendClosingParenthesis = utf8
            pending.append(
                .appendMessageBegin(
                    flags: flags, internalDate: date, size: literal.size,
                    synchronizing: literal.synchronizing, binary: literal.binary))
            state = .appendDecision
        } catch {
            let message = (error as? ParseError)?.message ?? "invalid APPEND syntax"
            refuse(literal, .appendError(appendTag, message))
        }
        return true
    }

    // MARK: - Helpers

    /// A refused literal: a synchronizing one is never sent, a non-synchronizing one is skipped if small enough.
    private mutating func refuse(_ literal: LiteralAnnouncement, _ completion: Completion) {
        if literal.synchronizing {
            finish(completion)
        } else if literal.size <= skipLimit(completion) {
            state = .skipBytes(literal.size, completion)
        } else {
            fail("literal too large to skip")
        }
    }

    private func skipLimit(_ completion: Completion) -> Int {
        if case .commandError = completion { return limits.maxNonSyncLiteralSkip }
        return limits.maxAppendSize
    }

    private mutating func finish(_ completion: Completion) {
        switch completion {
        case .commandError(let tag, let message): pending.append(.commandError(tag: tag, message: message))
        case .appendError(let tag, let message): pending.append(.appendError(tag: tag, message: message))
        case .silent: break
        }
        state = .command
    }

    private mutating func fail(_ message: String) {
        pending.append(.fatal(message: message))
        state = .failed
        resetFrame()
        buffer.clear()
        scanned = 0
    }

    private mutating func resetFrame() {
        frame = []
        literalCount = 0
    }

    /// The next line without its CRLF (a bare LF is accepted too), enforcing `maxLineLength`.
    private mutating func readLine() -> LineRead {
        let view = buffer.readableBytesView
        let searchStart = view.startIndex + scanned
        guard let lf = view[searchStart...].firstIndex(of: 0x0A) else {
            scanned = view.count
            return view.count > limits.maxLineLength + 1 ? .tooLong : .needMore
        }
        var end = lf
        if end > view.startIndex, view[end - 1] == 0x0D { end -= 1 }
        let length = end - view.startIndex
        guard length <= limits.maxLineLength else { return .tooLong }
        let content = Array(view[view.startIndex..<end])
        buffer.moveReaderIndex(forwardBy: lf - view.startIndex + 1)
        scanned = 0
        return .line(content)
    }
}
