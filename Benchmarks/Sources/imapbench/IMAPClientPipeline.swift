#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// One piece of what an IMAP server sends: a line (without CRLF), or a chunk of a literal, streamed as it arrives
/// (so that the time to the first byte of a large message can be measured).
enum IMAPEvent: Sendable {
    /// One or more complete lines, each ending in LF (CRLF); `continued` is true when the first follows a
    /// literal and so belongs to the same response. Only the last line can announce a literal.
    case lines(ByteBuffer, continued: Bool)
    case literal(ByteBuffer)
}

/// Splits the server's byte stream into lines and literal chunks (`{n}` at the end of a line announces n bytes).
struct IMAPResponseFramer: ByteToMessageDecoder {
    typealias InboundOut = IMAPEvent

    private var literalRemaining = 0
    private var afterLiteral = false
    /// Where to resume the search for LF in the buffered bytes (avoids rescanning a long line).
    private var scanned = 0

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if literalRemaining > 0 {
            guard buffer.readableBytes > 0 else { return .needMoreData }
            let n = min(literalRemaining, buffer.readableBytes)
            let chunk = buffer.readSlice(length: n)!
            literalRemaining -= n
            context.fireChannelRead(Self.wrapInboundOut(.literal(chunk)))
            return .continue
        }
        // All complete lines up to the first one that announces a literal go up as one event: firing one
        // pipeline event per line made the load generator a large part of a big FETCH's measured latency
        // (10,000 FLAGS lines: ~7 ms of client time against ~2 ms of server time). memchr finds the line ends.
        let readable = buffer.readableBytes
        var consumed = 0
        var announced: Int?
        var scanFrom = scanned
        buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var lineStart = 0
            while scanFrom < readable,
                let hit = memchr(base + scanFrom, Int32(UInt8(ascii: "\n")), readable - scanFrom)
            {
                let lf = base.distance(to: UnsafeRawPointer(hit))
                consumed = lf + 1
                var lineEnd = lf
                if lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if let n = Self.trailingLiteralLength(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])) {
                    announced = n
                    break
                }
                lineStart = consumed
                scanFrom = consumed
            }
        }
        guard consumed > 0 else {
            scanned = readable
            if readable > 64 << 20 { throw BenchError.protocolError("response line over 64 MiB") }
            return .needMoreData
        }
        scanned = 0
        let block = buffer.readSlice(length: consumed)!
        let continued = afterLiteral
        afterLiteral = announced != nil
        literalRemaining = announced ?? 0
        context.fireChannelRead(Self.wrapInboundOut(.lines(block, continued: continued)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// `{123}` or `{123+}` at the end of the line.
    static func trailingLiteralLength(_ v: UnsafeRawBufferPointer) -> Int? {
        guard v.last == UInt8(ascii: "}") else { return nil }
        var i = v.count - 1
        var value = 0
        var multiplier = 1
        var digits = 0
        if i > 0, v[i - 1] == UInt8(ascii: "+") { i -= 1 }
        while i > 0 {
            let c = v[i - 1]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                value += Int(c - UInt8(ascii: "0")) * multiplier
                multiplier *= 10
                digits += 1
                if digits > 12 { return nil }
                i -= 1
            } else if c == UInt8(ascii: "{") {
                return digits > 0 ? value : nil
            } else {
                return nil
            }
        }
        return nil
    }
}

/// What the server answered to one command.
struct IMAPResponse: Sendable {
    /// OK, NO, BAD, BYE (connection closed), or "+" for a command that completes on a continuation (IDLE).
    var status: String
    /// The tagged line (or the continuation line).
    var text: String
    /// Untagged lines, only when the command asked to collect them.
    var untagged: [String] = []
    var untaggedCount = 0
    var bytes = 0
    var literalBytes = 0
    /// Nanoseconds from sending the command to the first byte of the first literal, if any.
    var firstLiteralNanos: UInt64?
}

/// A command for the handler: `parts[0]` is sent at once, each further part after a "+" continuation.
struct CommandRequest: Sendable {
    var tag: String
    var parts: [ByteBuffer]
    var completeOnContinuation = false
    var collect = false
    var timeout: TimeAmount = .seconds(120)
    var promise: EventLoopPromise<IMAPResponse>
}

/// Request/response matching by tag, on the event loop. Untagged data with no command pending (IDLE pushes) is
/// counted and dropped.
final class IMAPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = IMAPEvent
    typealias OutboundIn = CommandRequest
    typealias OutboundOut = ByteBuffer

    private var greeting: EventLoopPromise<String>?
    private var pending: CommandRequest?
    private var nextPart = 0
    private var response = IMAPResponse(status: "", text: "")
    private var sentAt: UInt64 = 0
    private var timeoutTask: Scheduled<Void>?
    private(set) var unsolicited = 0

    init(greeting: EventLoopPromise<String>) {
        self.greeting = greeting
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if pending != nil {
            request.promise.fail(BenchError.protocolError("command while another is pending"))
            promise?.fail(BenchError.protocolError("busy"))
            return
        }
        pending = request
        nextPart = 1
        response = IMAPResponse(status: "", text: "")
        sentAt = nanotime()
        let channel = context.channel
        timeoutTask = context.eventLoop.scheduleTask(in: request.timeout) {
            channel.pipeline.fireErrorCaught(BenchError.timeout)
        }
        context.write(wrapOutboundOut(request.parts[0]), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .literal(let chunk):
            if pending != nil {
                if response.firstLiteralNanos == nil { response.firstLiteralNanos = nanotime() &- sentAt }
                response.literalBytes += chunk.readableBytes
                response.bytes += chunk.readableBytes
            }
        case .lines(var block, let continued):
            var first = true
            while block.readableBytes > 0 {
                let length = block.withUnsafeReadableBytes { bytes in
                    memchr(bytes.baseAddress!, Int32(UInt8(ascii: "\n")), bytes.count).map {
                        bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) + 1
                    } ?? bytes.count
                }
                var line = block.readSlice(length: length)!
                if line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\n") {
                    line.moveWriterIndex(to: line.writerIndex - 1)
                }
                if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
                    line.moveWriterIndex(to: line.writerIndex - 1)
                }
                handleLine(context: context, line, continued: first && continued)
                first = false
            }
        }
    }

    private func handleLine(context: ChannelHandlerContext, _ line: ByteBuffer, continued: Bool) {
        let v = line.readableBytesView
        if let g = greeting {
            greeting = nil
            g.succeed(String(buffer: line))
            return
        }
        guard let request = pending else {
            unsolicited += 1
            return
        }
        response.bytes += v.count + 2
        if continued { return }
        guard let first = v.first else { return }
        if first == UInt8(ascii: "*") {
            response.untaggedCount += 1
            if request.collect { response.untagged.append(String(buffer: line)) }
            if v.starts(with: "* BYE".utf8) { response.text = String(buffer: line) }
            return
        }
        if first == UInt8(ascii: "+") {
            if nextPart < request.parts.count {
                let part = request.parts[nextPart]
                nextPart += 1
                context.writeAndFlush(wrapOutboundOut(part), promise: nil)
                pending = request
            } else if request.completeOnContinuation {
                finish(status: "+", text: String(buffer: line))
            }
            return
        }
        // Tagged: TAG SP STATUS SP text
        guard let sp = v.firstIndex(of: UInt8(ascii: " ")) else { return }
        let tagLength = sp - v.startIndex
        guard tagLength == request.tag.utf8.count, v.prefix(tagLength).elementsEqual(request.tag.utf8) else { return }
        let rest = v[(sp + 1)...]
        let statusEnd = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
        let status = String(decoding: rest[rest.startIndex..<statusEnd], as: UTF8.self).uppercased()
        finish(status: status, text: String(buffer: line))
    }

    private func finish(status: String, text: String) {
        guard let request = pending else { return }
        pending = nil
        timeoutTask?.cancel()
        timeoutTask = nil
        var r = response
        r.status = status
        r.text = text
        response = IMAPResponse(status: "", text: "")
        request.promise.succeed(r)
    }

    private func failAll(_ error: Error) {
        timeoutTask?.cancel()
        timeoutTask = nil
        greeting?.fail(error)
        greeting = nil
        if let p = pending {
            pending = nil
            p.promise.fail(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(BenchError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(error)
        context.close(promise: nil)
    }
}

enum BenchError: Error, CustomStringConvertible {
    case protocolError(String)
    case closed
    case timeout
    case refused(String, String)

    var description: String {
        switch self {
        case .protocolError(let s): return "protocol: \(s)"
        case .closed: return "connection closed"
        case .timeout: return "timeout"
        case .refused(let cmd, let text): return "\(cmd) refused: \(text)"
        }
    }
}

@inline(__always) func nanotime() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
