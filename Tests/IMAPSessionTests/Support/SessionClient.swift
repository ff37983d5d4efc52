import Foundation
import IMAPSession
import IMAPWire
import NIOCore
import Synchronization

/// The session's connection in a test: it records what the session writes and hands the session's
/// `ResumeDirective`s to the `SessionClient` that drives it.
final class RecordingConnection: SessionConnection {
    private let output = Mutex<[UInt8]>([])
    private let directives: AsyncStream<ResumeDirective>.Continuation
    let open = Atomic<Bool>(true)

    init(directives: AsyncStream<ResumeDirective>.Continuation) {
        self.directives = directives
    }

    func write(_ buffer: ByteBuffer) async {
        record(buffer)
    }

    /// Output written by the connection itself (STARTTLS's tagged OK).
    func record(_ buffer: ByteBuffer) {
        output.withLock { $0 += buffer.readableBytesView }
    }

    func resume(_ directive: ResumeDirective) {
        directives.yield(directive)
    }

    func setIdleTimeout(seconds: Int64) {}

    var isOpen: Bool { open.load(ordering: .relaxed) }

    /// Everything written since the last call.
    func take() -> [UInt8] {
        output.withLock { bytes in
            defer { bytes = [] }
            return bytes
        }
    }
}

/// A client of an in-process `IMAPSession`: it frames its bytes with the server's `CommandFramer` and
/// hands the events to the session one at a time, exactly as the server's connection handler does
/// (each event waits for the session's `ResumeDirective`), so no socket, TLS or event loop is involved.
final class SessionClient {
    private var framer: CommandFramer
    private let inputs: AsyncStream<SessionInput>.Continuation
    private var directives: AsyncStream<ResumeDirective>.AsyncIterator
    let connection: RecordingConnection
    private let task: Task<Void, Never>
    /// Response bytes not yet returned as lines.
    private var pending: [UInt8] = []
    private(set) var closed = false

    init(configuration: SessionConfiguration, limits: IMAPLimits = .default) async {
        framer = CommandFramer(limits: limits)
        let (directiveStream, directiveContinuation) = AsyncStream.makeStream(of: ResumeDirective.self)
        directives = directiveStream.makeAsyncIterator()
        let connection = RecordingConnection(directives: directiveContinuation)
        self.connection = connection
        let (inputStream, inputs) = AsyncStream.makeStream(of: SessionInput.self)
        self.inputs = inputs
        task = Task {
            let session = IMAPSession(configuration: configuration, connection: connection)
            await session.run(inputs: inputStream, wakeups: inputs)
        }
        // The greeting ends with the first `resume`.
        await apply(directives.next() ?? .close)
    }

    deinit {
        inputs.finish()
    }

    /// Sends bytes and lets the session handle every event they complete.
    func send(_ bytes: [UInt8]) async {
        guard !closed else { return }
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        framer.append(buffer)
        while !closed, let event = framer.next() {
            inputs.yield(.framer(event))
            await apply(directives.next() ?? .close)
        }
    }

    func send(_ text: String) async {
        await send(Array(text.utf8))
    }

    /// Ends the session as a vanished client would, and waits until it has finished.
    func disconnect() async {
        connection.open.store(false, ordering: .relaxed)
        closed = true
        inputs.finish()
        await task.value
    }

    private func apply(_ directive: ResumeDirective) async {
        switch directive {
        case .next: break
        case .rawLine: framer.expectRawLine()
        case .acceptAppendMessage: framer.acceptAppendMessage()
        case .rejectAppendMessage: framer.rejectAppendMessage()
        case .startTLS(let response):
            framer.discardBuffered()
            connection.record(response)
        case .startCompression(let response):
            // No transport here: the session's side of COMPRESS only; the deflate layer is tested
            // with the connection handler.
            connection.record(response)
        case .close:
            closed = true
            inputs.finish()
            await task.value
        }
    }

    /// The complete response lines received so far (literals inline).
    func lines() -> [ResponseLine] {
        pending += connection.take()
        var out: [ResponseLine] = []
        while let (line, used) = ResponseLine.parse(pending) {
            out.append(line)
            pending.removeFirst(used)
        }
        return out
    }

    /// Waits (up to `timeout`) until a line satisfying `condition` arrives; returns every line read.
    func waitForLine(
        timeout: Duration = .seconds(5), _ condition: (ResponseLine) -> Bool
    ) async -> [ResponseLine] {
        var seen: [ResponseLine] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            seen += lines()
            if seen.contains(where: condition) { return seen }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return seen
    }
}

/// One logical response line: its bytes without the final CRLF, literals inline.
struct ResponseLine: Sendable, CustomStringConvertible {
    var bytes: [UInt8]

    /// The line as golden transcripts show it: `{N}` followed by the literal with CR and LF as `\r` and
    /// `\n` (other control bytes as `\xNN`).
    var text: String {
        var out = ""
        var index = 0
        while index < bytes.count {
            if let (count, end) = Self.literalAnnouncement(bytes, at: index) {
                out += "{\(count)}"
                for byte in bytes[end..<min(bytes.count, end + count)] {
                    switch byte {
                    case 0x0D: out += "\\r"
                    case 0x0A: out += "\\n"
                    case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
                    default: out += String(format: "\\x%02x", byte)
                    }
                }
                index = end + count
            } else {
                out.unicodeScalars.append(Unicode.Scalar(bytes[index]))
                index += 1
            }
        }
        return out
    }

    var description: String { text }

    func hasPrefix(_ prefix: String) -> Bool { bytes.starts(with: Array(prefix.utf8)) }

    /// `{N}CRLF` or `{N+}CRLF` at `index`: the count and where the literal starts.
    private static func literalAnnouncement(_ bytes: [UInt8], at index: Int) -> (Int, Int)? {
        guard bytes[index] == UInt8(ascii: "{") else { return nil }
        var cursor = index + 1
        var count = 0
        var digits = 0
        while cursor < bytes.count, let digit = bytes[cursor].asciiDigit {
            count = count * 10 + digit
            digits += 1
            cursor += 1
        }
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "+") { cursor += 1 }
        guard digits > 0, cursor + 2 < bytes.count, bytes[cursor] == UInt8(ascii: "}"),
            bytes[cursor + 1] == 0x0D, bytes[cursor + 2] == 0x0A
        else { return nil }
        return (count, cursor + 3)
    }

    /// One complete logical line at the start of `bytes` and how many bytes it used, or nil when it
    /// has not fully arrived.
    static func parse(_ bytes: [UInt8]) -> (ResponseLine, Int)? {
        var index = 0
        var line: [UInt8] = []
        while true {
            guard let crlf = findCRLF(bytes, from: index) else { return nil }
            let physical = bytes[index..<crlf]
            line += physical
            index = crlf + 2
            // A continuation request ends its line even if its text looks like a literal.
            let isContinuation = line.first == UInt8(ascii: "+") && line.count == physical.count
            guard !isContinuation, let count = trailingLiteral(physical) else {
                return (ResponseLine(bytes: line), index)
            }
            guard bytes.count >= index + count else { return nil }
            line += [0x0D, 0x0A]
            line += bytes[index..<index + count]
            index += count
        }
    }

    private static func findCRLF(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D && bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    /// The N of a physical line ending in `{N}` or `{N+}`.
    private static func trailingLiteral(_ physical: ArraySlice<UInt8>) -> Int? {
        guard physical.last == UInt8(ascii: "}") else { return nil }
        var end = physical.endIndex - 1
        if end > physical.startIndex, physical[end - 1] == UInt8(ascii: "+") { end -= 1 }
        var start = end
        while start > physical.startIndex, physical[start - 1].asciiDigit != nil { start -= 1 }
        guard start < end, start > physical.startIndex, physical[start - 1] == UInt8(ascii: "{") else { return nil }
        return Int(String(decoding: physical[start..<end], as: UTF8.self))
    }
}

extension UInt8 {
    fileprivate var asciiDigit: Int? {
        self >= 0x30 && self <= 0x39 ? Int(self - 0x30) : nil
    }
}
