import Testing

@testable import SASL

@Suite struct PlainAndLoginTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func plain() {
        #expect(PlainMechanism.parse(bytes("\0alice\0pw")) == .verifyPassword(authcid: "alice", password: "pw"))
        #expect(PlainMechanism.parse(bytes("ALICE\0alice\0pw")) == .verifyPassword(authcid: "alice", password: "pw"))
        #expect(PlainMechanism.parse(bytes("bob\0alice\0pw")) == .failure(.authorizationRefused))
        for bad in ["alice\0pw", "\0\0pw", "\0a\0b\0c", ""] {
            guard case .failure(.malformed) = PlainMechanism.parse(bytes(bad)) else {
                Issue.record("accepted \(bad.debugDescription)")
                continue
            }
        }
        #expect(
            PlainMechanism.parse([0, 0x61, 0, 0xFF])
                == .failure(.malformed("expected authzid NUL authcid NUL password")))
        let long = [0] + bytes("a") + [0] + Array(repeating: 0x61, count: SASLLimits.maxMessageBytes)
        #expect(PlainMechanism.parse(long) == .failure(.malformed("message too long")))
    }

    @Test func loginAsksUserThenPassword() {
        var login = LoginMechanism()
        #expect(login.start(initialResponse: nil) == .challenge(bytes("Username:")))
        #expect(login.respond(bytes("alice")) == .challenge(bytes("Password:")))
        #expect(login.respond(bytes("p w")) == .verifyPassword(authcid: "alice", password: "p w"))
    }

    @Test func loginWithInitialResponseAndBadInput() {
        var login = LoginMechanism()
        #expect(login.start(initialResponse: bytes("alice")) == .challenge(bytes("Password:")))
        #expect(login.respond(bytes("")) == .verifyPassword(authcid: "alice", password: ""))
        var empty = LoginMechanism()
        #expect(empty.start(initialResponse: bytes("")) == .failure(.malformed("empty user name")))
        var nul = LoginMechanism()
        #expect(
            nul.start(initialResponse: [0x61, 0, 0x62]) == .failure(.malformed("expected a user name or a password")))
        var long = LoginMechanism()
        let name = Array(repeating: UInt8(0x61), count: SASLLimits.maxFieldBytes + 1)
        #expect(long.start(initialResponse: name) == .failure(.malformed("expected a user name or a password")))
    }
}
