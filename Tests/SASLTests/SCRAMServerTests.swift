import Foundation
import MailStore
import Testing

@testable import SASL

@Suite struct SCRAMServerTests {
    static func verifier(_ password: String, salt: [UInt8], iterations: Int) throws -> SCRAMVerifier {
        try PasswordHasher.credentials(password: password, salt: salt, iterations: iterations)
    }

    static let rfcSalt = Array(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
    static let rfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// RFC 7677 §3, message by message.
    @Test func rfc7677Example() throws {
        var server = SCRAMServer(plus: false, channelBinding: nil, serverNonce: Self.rfcServerNonce)
        #expect(server.start(initialResponse: bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")) == .lookUp(authcid: "user"))
        let first = server.credentials(try Self.verifier("pencil", salt: Self.rfcSalt, iterations: 4096))
        #expect(
            first
                == .challenge(
                    bytes(
                        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
        let final = server.respond(
            bytes(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
            ))
        #expect(final == .success(authcid: "user", finalData: bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
        // Nothing after the end.
        #expect(server.respond(bytes("c=biws")) == .failure(.malformed("unexpected message")))
    }

    /// A proof made with one of the alternatives (an app password: same salt and count) succeeds, and
    /// the server signature is that alternative's.
    @Test func alternativeVerifierSucceeds() throws {
        var server = SCRAMServer(plus: false, channelBinding: nil, serverNonce: Self.rfcServerNonce)
        _ = server.start(initialResponse: bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
        _ = server.credentials(
            try Self.verifier("not pencil", salt: Self.rfcSalt, iterations: 4096),
            alternatives: [
                try Self.verifier("crayon", salt: Self.rfcSalt, iterations: 4096),
                try Self.verifier("pencil", salt: Self.rfcSalt, iterations: 4096),
            ])
        let final = server.respond(
            bytes(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
            ))
        #expect(final == .success(authcid: "user", finalData: bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
    }

    @Test func wrongPasswordFails() throws {
        var server = SCRAMServer(plus: false, channelBinding: nil, serverNonce: Self.rfcServerNonce)
        _ = server.start(initialResponse: nil)
        _ = server.respond(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
        _ = server.credentials(try Self.verifier("not pencil", salt: Self.rfcSalt, iterations: 4096))
        let final = server.respond(
            bytes(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
            ))
        #expect(final == .failure(.authenticationFailed))
    }

    @Test(
        arguments: [
            ("x,,n=user,r=abc", SASLFailure.malformed("bad gs2-cbind-flag")),
            ("n,,m=ext,n=user,r=abc", .malformed("unsupported mandatory extension")),
            ("n,,n=us=2Cer=3D,r=abc", nil),
            ("n,,n=us=41er,r=abc", .malformed("bad username")),
            ("n,,n=,r=abc", .malformed("bad username")),
            ("n,,n=user,r=a,bc", nil),
            ("n,,n=user,r=", .malformed("bad nonce")),
            ("n,,n=user", .malformed("expected username and nonce")),
            ("n,a=other,n=user,r=abc", .authorizationRefused),
            ("n,a=USER,n=user,r=abc", nil),
            ("y,,n=user,r=abc", nil),
            ("p=tls-server-end-point,,n=user,r=abc", .channelBindingRefused("channel binding needs -PLUS")),
            ("n", .malformed("expected gs2-header and client-first-message-bare")),
        ] as [(String, SASLFailure?)])
    func clientFirstSyntax(message: String, failure: SASLFailure?) {
        var server = SCRAMServer(plus: false, channelBinding: nil)
        let step = server.start(initialResponse: bytes(message))
        if let failure {
            #expect(step == .failure(failure))
        } else {
            guard case .lookUp = step else {
                Issue.record("\(message): \(step)")
                return
            }
        }
    }

    @Test func usernameEscapesAreDecoded() {
        var server = SCRAMServer(plus: false, channelBinding: nil)
        #expect(server.start(initialResponse: bytes("n,,n=a=2Cb=3Dc,r=xyz")) == .lookUp(authcid: "a,b=c"))
    }

    @Test func downgradeIsRefusedWhenTheServerCanBind() {
        var server = SCRAMServer(plus: false, channelBinding: [1, 2, 3])
        #expect(
            server.start(initialResponse: bytes("y,,n=user,r=abc"))
                == .failure(.channelBindingRefused("downgrade detected")))
        var plus = SCRAMServer(plus: true, channelBinding: [1, 2, 3])
        #expect(
            plus.start(initialResponse: bytes("n,,n=user,r=abc"))
                == .failure(.channelBindingRefused("-PLUS requires channel binding")))
        var other = SCRAMServer(plus: true, channelBinding: [1, 2, 3])
        #expect(
            other.start(initialResponse: bytes("p=tls-unique,,n=user,r=abc"))
                == .failure(.channelBindingRefused("only tls-server-end-point is supported")))
    }

    /// A client run with the RFC's formulas over -PLUS: the binding data must be what this
    /// connection's certificate gives, or the exchange fails.
    @Test(arguments: [true, false])
    func plusBindsTheCertificate(sameCertificate: Bool) throws {
        let cbind = SCRAMServer.tlsServerEndPoint(certificateDER: [0x30, 1, 2, 3], signatureHash: .sha256OrWeaker)
        let clientCbind = sameCertificate ? cbind : Array(repeating: 0, count: 32)
        let salt = Array("salty-salt-16byt".utf8)
        let verifier = try Self.verifier("secret", salt: salt, iterations: 64)
        var server = SCRAMServer(plus: true, channelBinding: cbind, serverNonce: "SN")
        let gs2 = "p=tls-server-end-point,,"
        #expect(server.start(initialResponse: bytes(gs2 + "n=alice,r=CN")) == .lookUp(authcid: "alice"))
        guard case .challenge(let serverFirst) = server.credentials(verifier) else {
            Issue.record("no server-first")
            return
        }
        let withoutProof = "c=\(Data(bytes(gs2) + clientCbind).base64EncodedString()),r=CNSN"
        let authMessage = bytes("n=alice,r=CN,") + serverFirst + bytes("," + withoutProof)
        let salted = try PasswordHasher.saltedPassword(password: "secret", salt: salt, iterations: 64)
        let clientKey = PasswordHasher.hmacSHA256(key: salted, message: bytes("Client Key"))
        let signature = PasswordHasher.hmacSHA256(key: PasswordHasher.sha256(clientKey), message: authMessage)
        let proof = Data(zip(clientKey, signature).map { $0 ^ $1 }).base64EncodedString()
        let step = server.respond(bytes(withoutProof + ",p=" + proof))
        if sameCertificate {
            let serverKey = PasswordHasher.hmacSHA256(key: salted, message: bytes("Server Key"))
            let v = Data(PasswordHasher.hmacSHA256(key: serverKey, message: authMessage)).base64EncodedString()
            #expect(step == .success(authcid: "alice", finalData: bytes("v=" + v)))
        } else {
            #expect(step == .failure(.channelBindingRefused("channel binding differs")))
        }
    }

    @Test(arguments: [
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        "c=biws,r=wrongnonce,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "c=!!!,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA",
        "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "",
    ])
    func badClientFinalFails(message: String) throws {
        var server = SCRAMServer(plus: false, channelBinding: nil, serverNonce: Self.rfcServerNonce)
        _ = server.start(initialResponse: bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
        _ = server.credentials(try Self.verifier("pencil", salt: Self.rfcSalt, iterations: 4096))
        guard case .failure = server.respond(bytes(message)) else {
            Issue.record("accepted: \(message)")
            return
        }
    }

    @Test func limits() {
        var server = SCRAMServer(plus: false, channelBinding: nil)
        let long = "n,,n=user,r=" + String(repeating: "a", count: SASLLimits.maxMessageBytes)
        #expect(server.start(initialResponse: bytes(long)) == .failure(.malformed("not UTF-8 or too long")))
        var names = SCRAMServer(plus: false, channelBinding: nil)
        let longName = "n,,n=" + String(repeating: "u", count: SASLLimits.maxFieldBytes + 1) + ",r=abc"
        #expect(names.start(initialResponse: bytes(longName)) == .failure(.malformed("bad username")))
        #expect(SCRAMServer.randomNonce() != SCRAMServer.randomNonce())
        #expect(!SCRAMServer.randomNonce().contains(","))
    }
}
