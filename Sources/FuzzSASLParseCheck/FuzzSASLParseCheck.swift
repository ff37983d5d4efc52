import SASL

/// A property of the SASL mechanisms that an input broke.
public struct SASLParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzSASLParse harness, also run over its seed corpus by the unit tests.
///
/// The first byte picks the mechanism (PLAIN, LOGIN, SCRAM-SHA-256, SCRAM-SHA-256-PLUS, EXTERNAL); the
/// rest is the client's messages, separated by 0xFF bytes (which no valid message holds), fed in
/// order, the first as the initial response. No input may trap; an exchange ends at its first success
/// or failure; a success names the user the exchange looked up (EXTERNAL: the connection's identity);
/// nothing follows the end.
public func checkSASLParseInput(_ bytes: [UInt8]) throws(SASLParseCheckFailure) {
    guard let selector = bytes.first else { return }
    let messages = bytes.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false).map(Array.init)
    switch selector % 5 {
    case 0:
        _ = PlainMechanism.parse(messages.first ?? [])
    case 1:
        var login = LoginMechanism()
        var step = login.start(initialResponse: messages.first)
        for message in messages.dropFirst() {
            guard case .challenge = step else { break }
            step = login.respond(message)
        }
    case 4:
        try checkExternal(messages)
    default:
        let plus = selector % 5 == 3
        var server = SCRAMServer(
            plus: plus, channelBinding: plus ? Array(repeating: 7, count: 32) : nil, serverNonce: "sn")
        var step = server.start(initialResponse: messages.first)
        var lookedUp: String?
        var index = 1
        while true {
            switch step {
            case .lookUp(let name):
                lookedUp = name
                step = server.credentials(verifier)
                continue
            case .challenge:
                guard index < messages.count else { return }
                step = server.respond(messages[index])
                index += 1
                continue
            case .success(let name, _):
                guard name == lookedUp else {
                    throw SASLParseCheckFailure(description: "success for \(name), looked up \(lookedUp ?? "nobody")")
                }
            case .failure, .verifyPassword, .authenticatedExternally:
                break
            }
            break
        }
        if case .challenge = server.respond(Array("c=biws".utf8)) {
            throw SASLParseCheckFailure(description: "the exchange went on after its end")
        }
    }
}

/// EXTERNAL for the identity `alice`: it succeeds only as alice, and only at its first message.
private func checkExternal(_ messages: [[UInt8]]) throws(SASLParseCheckFailure) {
    let external = ExternalMechanism(identity: "alice")
    var step = external.start(initialResponse: messages.first)
    if case .challenge = step, messages.count > 1 { step = external.respond(messages[1]) }
    switch step {
    case .authenticatedExternally(let name) where name != "alice":
        throw SASLParseCheckFailure(description: "EXTERNAL authenticated \(name), not the connection's identity")
    case .challenge(let bytes) where !bytes.isEmpty || messages.count > 1:
        throw SASLParseCheckFailure(description: "EXTERNAL asked more than once")
    case .lookUp, .verifyPassword, .success:
        throw SASLParseCheckFailure(description: "EXTERNAL gave \(step)")
    default:
        break
    }
    if case .authenticatedExternally = ExternalMechanism(identity: nil).respond(messages.first ?? []) {
        throw SASLParseCheckFailure(description: "EXTERNAL without an identity authenticated")
    }
}

/// A fixed verifier (password "pencil", RFC 7677's salt, 4096 iterations).
let verifier = SCRAMVerifier(
    salt: [0x5B, 0x6D, 0x99, 0x68, 0x9D, 0x12, 0x35, 0x8E, 0xEC, 0xA0, 0x4B, 0x14, 0x12, 0x36, 0xFA, 0x81],
    iterations: 4096,
    storedKey: [
        0x1A, 0x6E, 0xE1, 0x0F, 0x1E, 0x5C, 0x6D, 0x2A, 0x5D, 0x22, 0x9B, 0x8D, 0x2F, 0x4C, 0x1B, 0x5E,
        0x8F, 0x93, 0x41, 0x34, 0xBF, 0x0D, 0x6B, 0x76, 0x21, 0x0B, 0x43, 0x1E, 0x61, 0x3C, 0x0F, 0x11,
    ],
    serverKey: [UInt8](repeating: 0x42, count: 32))
