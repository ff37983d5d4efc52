import NIOCore
import Testing

@testable import IMAPWire

/// One stress test (at least) per `IMAPLimits` field.
@Suite struct LimitStressTests {
    @Test func maxLineLength() {
        let name = String(repeating: "m", count: 60 * 1024)
        #expect(command("a SELECT \(name)\r\n") == .select(MailboxName(name), parameters: []))
        #expect(command("a SELECT \"\(name)\"\r\n") == .select(MailboxName(name), parameters: []))
        let tooLong = "a SELECT " + String(repeating: "m", count: 64 * 1024) + "\r\n"
        #expect(events(tooLong) == [.fatal(message: "line too long")])
        // Without any LF, the framer gives up as soon as the line cannot fit.
        var framer = CommandFramer()
        framer.append(ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024 + 2))
        #expect(framer.next() == .fatal(message: "line too long"))
    }

    @Test func lineOfExactlyMaxLengthIsAccepted() {
        var limits = IMAPLimits()
        limits.maxLineLength = 20
        let line = "a SELECT " + String(repeating: "m", count: 11)
        #expect(line.utf8.count == 20)
        let input = bytes(line + "\r\n")
        #expect(
            events(input, limits: limits) == [
                .command(
                    TaggedCommand(
                        tag: "a", command: .select(MailboxName(String(repeating: "m", count: 11)), parameters: [])))
            ])
        #expect(eventsByteByByte(input, limits: limits) == events(input, limits: limits))
        let longer = bytes("a SELECT " + String(repeating: "m", count: 12) + "\r\n")
        #expect(events(longer, limits: limits) == [.fatal(message: "line too long")])
        #expect(eventsByteByByte(longer, limits: limits) == [.fatal(message: "line too long")])
    }

    @Test func maxShortLiteralSize() {
        let ok = String(repeating: "p", count: 8 * 1024)
        #expect(command("a LOGIN u {\(ok.utf8.count)+}\r\n\(ok)\r\n") == .login(username: "u", password: ok))
        #expect(events("a LOGIN u {8193}\r\n") == [.commandError(tag: "a", message: "literal too large")])
    }

    @Test func maxCommandSize() {
        var limits = IMAPLimits()
        limits.maxCommandSize = 64
        limits.maxLineLength = 1000
        #expect(events("a LOGIN u {60}\r\n", limits: limits) == [.commandError(tag: "a", message: "command too long")])
        let long = "a SELECT " + String(repeating: "m", count: 100) + "\r\n"
        #expect(events(long, limits: limits) == [.commandError(tag: "a", message: "command too long")])
        // Default: many literals together may not exceed 256 KiB.
        let chunk = String(repeating: "z", count: 8192)
        var input = "a SEARCH"
        for _ in 0..<31 { input += " TEXT {8192+}\r\n" + chunk }
        input += " TEXT {8192+}\r\n" + chunk + "\r\nb NOOP\r\n"
        let ev = events(input)
        #expect(ev.count == 2)
        #expect(
            ev == [
                .commandError(tag: "a", message: "command too long"), .command(TaggedCommand(tag: "b", command: .noop)),
            ])
    }

    @Test func maxAppendSize() {
        var limits = IMAPLimits()
        limits.maxAppendSize = 1000
        let ok = events("a APPEND x {1000+}\r\n" + String(repeating: "q", count: 1000) + "\r\n", limits: limits)
        #expect(ok.last == .appendEnd)
        #expect(
            events("a APPEND x {1001+}\r\n", limits: limits).last == .fatal(message: "APPEND message too large to skip")
        )
        // The default accepts a 64 MiB announcement without allocating for it.
        var framer = CommandFramer()
        framer.append(ByteBuffer(string: "a APPEND x {67108864}\r\n"))
        _ = framer.next()
        #expect(
            framer.next()
                == .appendMessageBegin(
                    flags: [], internalDate: nil, size: 67_108_864, synchronizing: true, binary: false))
        framer.acceptAppendMessage()
        #expect(framer.next() == .continuationRequest)
        #expect(framer.next() == nil)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func maxSearchDepth() {
        let deep =
            "a SEARCH " + String(repeating: "(", count: 3000) + "SEEN" + String(repeating: ")", count: 3000) + "\r\n"
        #expect(events(deep) == [.commandError(tag: "a", message: "SEARCH nested too deeply")])
        let nots = "a SEARCH " + String(repeating: "NOT ", count: 3000) + "SEEN\r\n"
        #expect(events(nots) == [.commandError(tag: "a", message: "SEARCH nested too deeply")])
        let ors = "a SEARCH " + String(repeating: "OR SEEN ", count: 3000) + "SEEN\r\n"
        #expect(events(ors) == [.commandError(tag: "a", message: "SEARCH nested too deeply")])
        let ok = "a SEARCH " + String(repeating: "(", count: 63) + "SEEN" + String(repeating: ")", count: 63) + "\r\n"
        guard case .command? = parse(ok) else {
            Issue.record("63 levels should parse")
            return
        }
    }

    @Test func maxSequenceRanges() {
        let ok = (1...10_000).map { String($0 * 2) }.joined(separator: ",")
        guard case .fetch(let set, _, _, _)? = command("a FETCH \(ok) FLAGS\r\n"), case .ranges(let r) = set else {
            return
        }
        #expect(r.count == 10_000)
        let tooMany = (1...10_001).map { String($0 * 2) }.joined(separator: ",")
        #expect(
            events("a FETCH \(tooMany) FLAGS\r\n") == [
                .commandError(tag: "a", message: "too many ranges in sequence set")
            ])
    }

    @Test func maxLiteralsPerCommand() {
        var input = "a SEARCH"
        for _ in 0..<33 { input += " TEXT {1+}\r\nx" }
        input += "\r\nb NOOP\r\n"
        #expect(
            events(input) == [
                .commandError(tag: "a", message: "too many literals"),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
        var ok = "a SEARCH"
        for _ in 0..<32 { ok += " TEXT {1+}\r\nx" }
        guard case .command? = parse(ok + "\r\n") else {
            Issue.record("32 literals should parse")
            return
        }
    }

    @Test func maxNonSyncLiteralSkip() {
        var limits = IMAPLimits()
        limits.maxNonSyncLiteralSkip = 10_000
        let skipped = "a LOGIN {10000+}\r\n" + String(repeating: "x", count: 10_000) + " y\r\nb NOOP\r\n"
        #expect(
            events(skipped, limits: limits) == [
                .commandError(tag: "a", message: "literal too large"),
                .command(TaggedCommand(tag: "b", command: .noop)),
            ])
        #expect(events("a LOGIN {10001+}\r\n", limits: limits) == [.fatal(message: "literal too large to skip")])
    }

    @Test func maxAppendChunkSize() {
        var limits = IMAPLimits()
        limits.maxAppendChunkSize = 1024
        var framer = CommandFramer(limits: limits)
        framer.append(ByteBuffer(string: "a APPEND x {100000+}\r\n"))
        framer.append(ByteBuffer(repeating: 0x41, count: 100_000))
        framer.append(ByteBuffer(string: "\r\n"))
        _ = framer.next()
        _ = framer.next()
        framer.acceptAppendMessage()
        var total = 0
        var largest = 0
        while let e = framer.next() {
            if case .appendMessageBytes(let b) = e {
                total += b.readableBytes
                largest = max(largest, b.readableBytes)
            }
        }
        #expect(total == 100_000)
        #expect(largest == 1024)
    }

    @Test func manyPipelinedCommands() {
        let input = String(repeating: "a NOOP\r\n", count: 20_000)
        #expect(events(input).count == 20_000)
    }

    /// After a burst (here 160 KB of pipelined commands) the framer gives its large buffer up once it
    /// is drained, instead of keeping it for the connection's life.
    @Test func burstBufferIsNotRetained() {
        var framer = CommandFramer()
        var burst = ByteBuffer()
        burst.writeString(String(repeating: "a NOOP\r\n", count: 20_000))
        framer.append(burst)
        #expect(framer.bufferCapacity >= 160_000)
        var count = 0
        while framer.next() != nil { count += 1 }
        #expect(count == 20_000)
        framer.append(ByteBuffer(string: "b NOOP\r\n"))
        #expect(framer.bufferCapacity <= CommandFramer.retainedCapacity)
        #expect(framer.next() != nil)
    }
}
