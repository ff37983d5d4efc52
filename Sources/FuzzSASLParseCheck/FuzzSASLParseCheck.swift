import Foundation
import SASL

/// A property of the SASL mechanisms that an input broke.
public struct SASLParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzSASLParse harness, also run over its seed corpus by the unit tests.
///
/// The first byte picks the mechanism (PLAIN, LOGIN, SCRAM-SHA-256, SCRAM-SHA-256-PLUS, OAUTHBEARER,
/// XOAUTH2, EXTERNAL: its value modulo 7) and, for the bearer mechanisms, the token's verdict
/// (`checkBearer`); the rest is the client's messages, separated by 0xFF bytes (which no valid message
/// holds), fed in order, the first as the initial response. No input may trap; an exchange ends at its
/// first success or failure; a success names the user the exchange looked up (EXTERNAL: the
/// connection's identity); nothing follows the end.
public func checkSASLParseInput(_ bytes: [UInt8]) throws(SASLParseCheckFailure) {
    guard let selector = bytes.first else { return }
    let messages = bytes.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false).map(Array.init)
    switch selector % 7 {
    case 0:
        _ = PlainMechanism.parse(messages.first ?? [])
    case 1:
        var login = LoginMechanism()
        var step = login.start(initialResponse: messages.first)
        for message in messages.dropFirst() {
            guard case .challenge = step else { break }
            step = login.respond(message)
        }
    case 4, 5:
        try checkBearer(selector % 7 == 4 ? .oauthBearer : .xoauth2, verdict: selector / 7 % 3, messages)
    case 6:
        try checkExternal(messages)
    default:
        let plus = selector % 7 == 3
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
            case .failure, .verifyPassword, .verifyBearerToken, .authenticatedExternally:
                break
            }
            break
        }
        if case .challenge = server.respond(Array("c=biws".utf8)) {
            throw SASLParseCheckFailure(description: "the exchange went on after its end")
        }
    }
}

/// A bearer exchange: a token handed to the session must be a b64token of bounded size; the verdict
/// (0: the token is the named user's, 1: another user's, 2: refused) must end in success only for the
/// token's own identity, in `authorizationRefused` for another user named, or in a JSON error challenge
/// whose answer fails the exchange.
func checkBearer(_ kind: BearerMechanism.Kind, verdict: UInt8, _ messages: [[UInt8]]) throws(SASLParseCheckFailure) {
    var mechanism = BearerMechanism(kind, errorDetails: BearerErrorDetails(scope: "s", openIDConfiguration: "u"))
    var step = mechanism.start(initialResponse: messages.first)
    var index = 1
    if case .challenge = step, index < messages.count {
        step = mechanism.respond(messages[index])
        index += 1
    }
    guard case .verifyBearerToken(let user, let token) = step else { return }
    let tokenBytes = Array(token.utf8)
    guard !tokenBytes.isEmpty, tokenBytes.count <= SASLLimits.maxBearerMessageBytes,
        !tokenBytes.contains(where: { $0 <= 0x20 || $0 >= 0x7F || $0 == BearerMessage.kvsep })
    else { throw SASLParseCheckFailure(description: "token \(token.debugDescription) passed the parser") }
    if kind == .xoauth2, user == nil { throw SASLParseCheckFailure(description: "XOAUTH2 without user") }
    let identity = verdict == 1 ? "other\u{1}" : user ?? "someone"
    let outcome: BearerTokenOutcome =
        verdict == 2 ? .invalid(BearerTokenRejection(reason: "fuzz")) : .valid(identity: identity)
    let ended = mechanism.tokenChecked(outcome)
    switch (ended, outcome) {
    case (.success(let name, nil), .valid) where name == identity && (user == nil || verdict == 0):
        break
    case (.failure(.authorizationRefused), .valid) where user != nil && verdict == 1:
        break
    case (.challenge(let json), .invalid):
        guard (try? JSONSerialization.jsonObject(with: Data(json))) is [String: String] else {
            throw SASLParseCheckFailure(description: "error challenge is not a JSON object of strings")
        }
        let answer = index < messages.count ? messages[index] : mechanism.errorAnswer
        guard mechanism.respond(answer) == .failure(.authenticationFailed) else {
            throw SASLParseCheckFailure(description: "the answer to the error challenge did not fail")
        }
    default:
        throw SASLParseCheckFailure(description: "verdict \(verdict) for \(user ?? "-") ended in \(ended)")
    }
    if case .failure = mechanism.respond(Array("n,,\u{1}auth=Bearer t\u{1}\u{1}".utf8)) { return }
    throw SASLParseCheckFailure(description: "the exchange went on after its end")
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
