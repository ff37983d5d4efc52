import SASL
import Testing

/// EXTERNAL (RFC 4422 Appendix A): the authzid is empty or the connection's own identity.
@Suite struct ExternalMechanismTests {
    let external = ExternalMechanism(identity: "alice")

    @Test func withoutInitialResponseAsksOnceWithAnEmptyChallenge() {
        #expect(external.start(initialResponse: nil) == .challenge([]))
        #expect(external.respond([]) == .authenticatedExternally(authcid: "alice"))
    }

    @Test func authzidIsEmptyOrTheIdentityInAnyCase() {
        #expect(external.start(initialResponse: []) == .authenticatedExternally(authcid: "alice"))
        #expect(external.start(initialResponse: Array("ALICE".utf8)) == .authenticatedExternally(authcid: "alice"))
        #expect(external.start(initialResponse: Array("bob".utf8)) == .failure(.authorizationRefused))
    }

    @Test func noIdentityNeverAuthenticates() {
        let none = ExternalMechanism(identity: nil)
        #expect(none.start(initialResponse: []) == .failure(.authenticationFailed))
        #expect(none.respond(Array("alice".utf8)) == .failure(.authenticationFailed))
    }

    @Test(arguments: [
        [0x61, 0x00, 0x62], [0xFF, 0xFE], [UInt8](repeating: 0x61, count: SASLLimits.maxFieldBytes + 1),
    ])
    func malformedAuthzid(_ message: [UInt8]) {
        #expect(external.respond(message) == .failure(.malformed("expected an authorization identity")))
    }
}
