import LMTP

/// A property of the LMTP parsing that an input broke.
public struct LMTPParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzLMTPParse harness, also run over its seed corpus by the unit tests.
///
/// The first byte picks a chunk size (1 + its value); the rest is a client's bytes. They are run
/// through the framer and the conversation twice, whole and in chunks, with every RCPT accepted and
/// DATA entered when the conversation says so. No input may trap; both runs must give the same
/// replies and the same message bytes; every reply must encode as `DDD[ -]text CRLF` lines; a data
/// event never appears outside DATA.
public func checkLMTPParseInput(_ bytes: [UInt8]) throws(LMTPParseCheckFailure) {
    guard let first = bytes.first else { return }
    let input = Array(bytes.dropFirst())
    let whole = try run(input, chunk: max(input.count, 1))
    let chunked = try run(input, chunk: Int(first) + 1)
    guard whole == chunked else {
        throw LMTPParseCheckFailure(description: "chunking changed the outcome: \(whole) vs \(chunked)")
    }
}

private struct Outcome: Equatable, CustomStringConvertible {
    var replies: [String] = []
    var messages: [[UInt8]] = []
    var description: String { "\(replies.count) replies, \(messages.count) messages" }
}

private func run(_ input: [UInt8], chunk: Int) throws(LMTPParseCheckFailure) -> Outcome {
    var limits = LMTPLimits(maxMessageSize: 1 << 20)
    limits.maxLineLength = 128
    var framer = LMTPInput(maxLineLength: limits.maxLineLength)
    var conversation = LMTPConversation(limits: limits, hostName: "fuzz.test")
    var outcome = Outcome()
    var message: [UInt8] = []
    var offset = 0
    var closed = false
    while offset < input.count && !closed {
        let end = min(input.count, offset + chunk)
        framer.append(input[offset..<end])
        offset = end
        while !closed, let event = framer.next() {
            switch event {
            case .data(let bytes):
                message += bytes
            case .dataEnd:
                outcome.messages.append(message)
                message = []
                conversation.dataFinished()
                outcome.replies.append("250 delivered")
            case .line, .lineTooLong:
                var step = conversation.receive(event)
                if case .resolve = step { step = conversation.recipientResolved(.recipientOK) }
                switch step {
                case .reply(let reply):
                    try check(reply)
                    outcome.replies.append(reply.description)
                case .close(let reply):
                    try check(reply)
                    outcome.replies.append(reply.description)
                    closed = true
                case .startData:
                    outcome.replies.append(LMTPReply.startData.description)
                    framer.beginData()
                case .resolve:
                    throw LMTPParseCheckFailure(description: "resolve after a resolved recipient")
                }
            }
        }
    }
    return outcome
}

private func check(_ reply: LMTPReply) throws(LMTPParseCheckFailure) {
    let text = reply.encoded
    guard (200...599).contains(reply.code), text.count >= 6, text.suffix(2) == [13, 10] else {
        throw LMTPParseCheckFailure(description: "malformed reply \(reply)")
    }
    let crs = text.filter { $0 == 13 }.count
    let lfs = text.indices.filter { text[$0] == 10 }
    guard crs == reply.lines.count, lfs.count == reply.lines.count, lfs.allSatisfy({ text[$0 - 1] == 13 }) else {
        throw LMTPParseCheckFailure(description: "a reply line holds a CR or LF: \(reply)")
    }
}
