import NIOCore
import Testing

@testable import IMAPWire

/// Drives a framer like a session would: auto-accepts (or rejects) APPEND messages and asks for a raw line
/// after IDLE and AUTHENTICATE. Consecutive `.appendMessageBytes` are merged so chunkings compare equal.
struct FramerDriver {
    var framer: CommandFramer
    var acceptAppends: Bool
    var rawAfterIdle: Bool
    var events: [FramerEvent] = []

    init(limits: IMAPLimits = .default, acceptAppends: Bool = true, rawAfterIdle: Bool = true) {
        self.framer = CommandFramer(limits: limits)
        self.acceptAppends = acceptAppends
        self.rawAfterIdle = rawAfterIdle
    }

    mutating func feed(_ bytes: [UInt8]) {
        framer.append(ByteBuffer(bytes: bytes))
        drain()
    }

    mutating func drain() {
        while let event = framer.next() {
            record(event)
            switch event {
            case .appendMessageBegin:
                if acceptAppends { framer.acceptAppendMessage() } else { framer.rejectAppendMessage() }
            case .command(let c):
                if rawAfterIdle, c.command == .idle { framer.expectRawLine() }
                if rawAfterIdle, case .authenticate = c.command { framer.expectRawLine() }
            default:
                break
            }
        }
    }

    private mutating func record(_ event: FramerEvent) {
        if case .appendMessageBytes(var new) = event, case .appendMessageBytes(var old)? = events.last {
            old.writeBuffer(&new)
            events[events.count - 1] = .appendMessageBytes(old)
        } else {
            events.append(event)
        }
    }
}

/// Events for `input` fed in the given chunk sizes (the rest in one last chunk).
func events(
    _ input: [UInt8], chunks: [Int] = [], limits: IMAPLimits = .default, acceptAppends: Bool = true
) -> [FramerEvent] {
    var driver = FramerDriver(limits: limits, acceptAppends: acceptAppends)
    var offset = 0
    for size in chunks where offset < input.count {
        let end = min(input.count, offset + size)
        driver.feed(Array(input[offset..<end]))
        offset = end
    }
    if offset < input.count { driver.feed(Array(input[offset...])) }
    return driver.events
}

func events(_ input: String, limits: IMAPLimits = .default, acceptAppends: Bool = true) -> [FramerEvent] {
    events(Array(input.utf8), limits: limits, acceptAppends: acceptAppends)
}

/// Events fed byte by byte.
func eventsByteByByte(_ input: [UInt8], limits: IMAPLimits = .default, acceptAppends: Bool = true) -> [FramerEvent] {
    var driver = FramerDriver(limits: limits, acceptAppends: acceptAppends)
    for b in input { driver.feed([b]) }
    return driver.events
}

/// Parses one complete command through the framer; the single event it yields (ignoring continuations).
func parse(_ line: String, limits: IMAPLimits = .default) -> FramerEvent? {
    let all = events(line, limits: limits).filter { $0 != .continuationRequest }
    #expect(all.count == 1, "expected one event for \(line.debugDescription), got \(all)")
    return all.first
}

/// The command parsed from `line`, or nil (with a recorded issue) on failure.
func command(_ line: String) -> Command? {
    guard case .command(let c)? = parse(line) else {
        Issue.record("did not parse: \(line.debugDescription) → \(String(describing: parse(line)))")
        return nil
    }
    return c.command
}

/// The tag of the error `line` yields, asserting it is a `.commandError`.
@discardableResult
func expectError(_ line: String, tag: String? = "a", sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    guard case .commandError(let t, let message)? = parse(line) else {
        Issue.record(
            "expected an error for \(line.debugDescription), got \(String(describing: parse(line)))",
            sourceLocation: sourceLocation)
        return nil
    }
    #expect(t == tag, "tag for \(line.debugDescription)", sourceLocation: sourceLocation)
    return message
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func string(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

func date(_ y: Int, _ m: Int, _ d: Int) -> IMAPDate { IMAPDate(year: y, month: m, day: d)! }
