import TLSClientHello
import Testing

/// Which certificate an offer can take (RFC 8446 §4.2.3, §4.4.2.2; RFC 5246 §7.4.1.4.1, §7.4.2).
@Suite struct CertificateChoiceTests {
    static let p256 = CertificateKind.ecdsa(tls13Scheme: 0x0403)
    static let p384 = CertificateKind.ecdsa(tls13Scheme: 0x0503)

    static func tls13(_ algorithms: [UInt16]?) -> ClientHelloOffer {
        ClientHelloOffer(
            legacyVersion: 0x0303, cipherSuites: [0x1301], signatureAlgorithms: algorithms,
            supportedVersions: [0x0304, 0x0303])
    }

    static func tls12(_ suites: [UInt16], _ algorithms: [UInt16]?) -> ClientHelloOffer {
        ClientHelloOffer(
            legacyVersion: 0x0303, cipherSuites: suites, signatureAlgorithms: algorithms, supportedVersions: nil)
    }

    @Test func tls13GoesBySignatureAlgorithmsAndCurve() {
        #expect(Self.tls13([0x0403, 0x0804]).accepts(Self.p256))
        #expect(!Self.tls13([0x0403]).accepts(Self.p384))
        #expect(!Self.tls13([0x0804]).accepts(Self.p256))
        #expect(Self.tls13([0x0804]).accepts(.rsa))
        // PKCS1 v1.5 is not a TLS 1.3 handshake signature.
        #expect(!Self.tls13([0x0401, 0x0403]).accepts(.rsa))
        #expect(!Self.tls13(nil).accepts(Self.p256) && !Self.tls13(nil).accepts(.rsa))
        #expect(!Self.tls13([0x0403, 0x0804]).accepts(.other))
        // TLS 1.2 suites do not matter once TLS 1.3 is spoken.
        var offer = Self.tls13([0x0403])
        offer.cipherSuites = [0xC02F]
        #expect(offer.accepts(Self.p256))
    }

    @Test func tls12GoesBySuitesAndSignatureAlgorithms() {
        #expect(Self.tls12([0xC02B], nil).accepts(Self.p256))
        #expect(Self.tls12([0xC02B], [0x0503]).accepts(Self.p256))
        #expect(!Self.tls12([0xC02B], [0x0401]).accepts(Self.p256))
        #expect(!Self.tls12([0xC02F], nil).accepts(Self.p256))
        #expect(Self.tls12([0xC02F], [0x0401]).accepts(.rsa))
        #expect(Self.tls12([0x009C], nil).accepts(.rsa))
        #expect(!Self.tls12([0xC02F], [0x0403]).accepts(.rsa))
        // A TLS 1.2-only supported_versions is still TLS 1.2.
        var offer = Self.tls12([0xC02B], nil)
        offer.supportedVersions = [0x0303]
        #expect(!offer.negotiatesTLS13 && offer.accepts(Self.p256))
    }

    @Test func choiceFallsBackToTheFirst() {
        let kinds: [CertificateKind] = [Self.p256, .rsa]
        #expect(ClientHelloOffer.choose(among: kinds, for: nil) == 0)
        #expect(ClientHelloOffer.choose(among: kinds, for: Self.tls12([0x0035], nil)) == 1)
        #expect(ClientHelloOffer.choose(among: kinds, for: Self.tls12([0xCCA8, 0xCCA9], nil)) == 0)
        #expect(ClientHelloOffer.choose(among: kinds, for: Self.tls12([0x00FF], nil)) == 0)
        #expect(ClientHelloOffer.choose(among: [.rsa, Self.p256], for: Self.tls13([0x0403, 0x0804])) == 0)
        #expect(ClientHelloOffer.choose(among: [.rsa, Self.p256], for: Self.tls13([0x0403])) == 1)
    }
}
