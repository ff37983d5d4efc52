import IMAPWire
import NIOCore

/// A property of the framer or parser that an input broke.
public struct IMAPParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Small limits so that every limit is reachable by short inputs.
private let fuzzLimits = IMAPLimits(
    maxLineLength: 512, maxShortLiteralSize: 128, maxCommandSize: 2048, maxAppendSize: 4096, maxSearchDepth: 16,
    maxSequenceRanges: 64, maxLiteralsPerCommand: 8, maxNonSyncLiteralSkip: 1024, maxAppendChunkSize: 64)

/// The body of the FuzzIMAPParse harness, also run over its seed corpus by the unit tests.
///
/// The first input byte is a control byte: its low four bits choose the chunk size (1 to 16 bytes), its high
/// four bits whether successive APPEND messages are accepted (bit clear) or rejected (bit set), in rotation.
/// The rest is fed to a `CommandFramer` in chunks of that size, acting on events as a session does (a raw line
/// after IDLE and AUTHENTICATE, the buffer dropped after STARTTLS). Every parsed command is encoded and parsed
/// again and must come back identical; nothing may follow a fatal event; buffering, raw lines and APPEND chunks
/// stay within the limits. The whole input after the control byte is also parsed directly as one frame.
public func checkIMAPParseInput(_ input: [UInt8]) throws(IMAPParseCheckFailure) {
    guard let control = input.first else { return }
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
            try require(!sawFatal, "event after fatal: \(event)")
            switch event {
            case .command(let command):
                try checkRoundTrip(command)
                switch command.command {
                case .idle, .authenticate: framer.expectRawLine()
                case .starttls: framer.discardBuffered()
                default: break
                }
            case .appendMessageBegin:
                if decisions & 1 == 0 { framer.acceptAppendMessage() } else { framer.rejectAppendMessage() }
                decisions = (decisions >> 1) | ((decisions & 1) << 3)
            case .appendMessageBytes(let bytes):
                try require(
                    bytes.readableBytes <= fuzzLimits.maxAppendChunkSize,
                    "APPEND chunk of \(bytes.readableBytes) bytes")
            case .fatal:
                sawFatal = true
            case .rawLine(let line):
                try require(line.readableBytes <= fuzzLimits.maxLineLength, "raw line of \(line.readableBytes) bytes")
            default:
                break
            }
        }
        try require(
            framer.bufferedByteCount <= fuzzLimits.maxLineLength + 2 + chunkSize || sawFatal,
            "unbounded buffering: \(framer.bufferedByteCount) bytes")
    }
    if case .success(let command) = GrammarParser.parseCommand(Array(body), limits: fuzzLimits) {
        try checkRoundTrip(command)
    }
}

private func checkRoundTrip(_ command: TaggedCommand) throws(IMAPParseCheckFailure) {
    let encoded = CommandEncoder().encode(command)
    let reparsed = GrammarParser.parseCommand(Array(encoded.readableBytesView), limits: fuzzLimits)
    guard case .success(let again) = reparsed, again == command else {
        let text = String(buffer: encoded).debugDescription
        throw IMAPParseCheckFailure(description: "round trip mismatch: \(command) -> \(text) -> \(reparsed)")
    }
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(IMAPParseCheckFailure) {
    if !condition { throw IMAPParseCheckFailure(description: message()) }
}
