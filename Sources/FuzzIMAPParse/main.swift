// libFuzzer harness for the IMAP command framer and parser.
//
// Build: swift build -c debug --sanitize=fuzzer --product FuzzIMAPParse
// Run:   SWIFT_BACKTRACE=enable=no .build/debug/FuzzIMAPParse -max_total_time=300 [corpus dir]
//
// The first input byte chooses the chunk size and the APPEND decisions; the rest is fed to a CommandFramer.
// Every parsed command is encoded and parsed again: the result must be identical.
import IMAPWire
import NIOCore

/// Small limits so that every limit is reachable by short inputs.
private let fuzzLimits = IMAPLimits(
    maxLineLength: 512, maxShortLiteralSize: 128, maxCommandSize: 2048, maxAppendSize: 4096, maxSearchDepth: 16,
    maxSequenceRanges: 64, maxLiteralsPerCommand: 8, maxNonSyncLiteralSkip: 1024, maxAppendChunkSize: 64)

private func checkRoundTrip(_ command: TaggedCommand) {
    let encoded = CommandEncoder().encode(command)
    let reparsed = GrammarParser.parseCommand(Array(encoded.readableBytesView), limits: fuzzLimits)
    guard case .success(let again) = reparsed, again == command else {
        preconditionFailure(
            "round trip mismatch: \(command) -> \(String(buffer: encoded).debugDescription) -> \(reparsed)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeRawBufferPointer(start: data, count: size))
    let control = input[0]
    let body = input[1...]
    let chunkSize = Int(control & 0x0F) + 1
    var decisions = control >> 4
    var framer = CommandFramer(limits: fuzzLimits)
    var offset = body.startIndex
    var sawFatal = false
    while offset < body.endIndex {
        let end = min(body.endIndex, offset + chunkSize)
        framer.append(ByteBuffer(bytes: body[offset..<end]))
        offset = end
        while let event = framer.next() {
            precondition(!sawFatal, "event after fatal")
            switch event {
            case .command(let command):
                checkRoundTrip(command)
                switch command.command {
                case .idle, .authenticate: framer.expectRawLine()
                case .starttls: framer.discardBuffered()
                default: break
                }
            case .appendMessageBegin:
                if decisions & 1 == 0 { framer.acceptAppendMessage() } else { framer.rejectAppendMessage() }
                decisions = (decisions >> 1) | ((decisions & 1) << 3)
            case .appendMessageBytes(let bytes):
                precondition(bytes.readableBytes <= fuzzLimits.maxAppendChunkSize)
            case .fatal:
                sawFatal = true
            case .rawLine(let line):
                precondition(line.readableBytes <= fuzzLimits.maxLineLength)
            default:
                break
            }
        }
        precondition(
            framer.bufferedByteCount <= fuzzLimits.maxLineLength + 2 + chunkSize || sawFatal, "unbounded buffering")
    }
    // Also parse the whole input as one frame, directly.
    if case .success(let command) = GrammarParser.parseCommand(Array(body), limits: fuzzLimits) {
        checkRoundTrip(command)
    }
    return 0
}
