import Crypto
import Foundation
import NIOSSL
import SASL
import TLSClientHello
import X509
import _CryptoExtras

/// One certificate chain and its private key, read from their PEM files and checked: the chain holds
/// a certificate, the key is the one of its first (leaf) certificate.
struct TLSCredential: Sendable {
    var chain: [NIOSSLCertificate]
    var key: NIOSSLPrivateKey
    /// What the leaf's key is, for choosing it by what a client offers.
    var kind: CertificateKind
    /// SHA-256 of the leaf, as colon-separated upper-case hex.
    var fingerprint: String
    /// The leaf's `tls-server-end-point` channel binding (SCRAM-SHA-256-PLUS).
    var channelBinding: [UInt8]
    /// When the leaf expires.
    var notValidAfter: Date

    /// Reads and checks the pair. Every error names the file and what is wrong with it.
    static func load(certificate: URL, key: URL) throws -> TLSCredential {
        let certificateBytes = try read(certificate, what: "TLS certificate")
        let keyBytes = try read(key, what: "TLS key")
        let chain: [NIOSSLCertificate]
        let leaf: Certificate
        let der: [UInt8]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
            guard let first = chain.first else { throw ServerError.configuration("no certificate") }
            der = try first.toDERBytes()
            leaf = try Certificate(derEncoded: der)
        } catch {
            throw ServerError.configuration(
                "cannot read the TLS certificate \(certificate.path): not a PEM certificate")
        }
        let nioKey: NIOSSLPrivateKey
        let privateKey: Certificate.PrivateKey
        do {
            nioKey = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
            privateKey = try Certificate.PrivateKey(pemEncoded: String(decoding: keyBytes, as: UTF8.self))
        } catch {
            throw ServerError.configuration("cannot read the TLS key \(key.path): not a PEM private key")
        }
        guard privateKey.publicKey == leaf.publicKey else {
            throw ServerError.configuration(
                "the TLS key \(key.path) is not the key of the certificate \(certificate.path)")
        }
        return TLSCredential(
            chain: chain, key: nioKey, kind: kind(of: leaf.publicKey),
            fingerprint: SelfSignedCertificate.fingerprint(der: der),
            channelBinding: channelBinding(certificateDER: der), notValidAfter: leaf.notValidAfter)
    }

    static func kind(of key: Certificate.PublicKey) -> CertificateKind {
        if P256.Signing.PublicKey(key) != nil { return .ecdsa(tls13Scheme: 0x0403) }
        if P384.Signing.PublicKey(key) != nil { return .ecdsa(tls13Scheme: 0x0503) }
        if P521.Signing.PublicKey(key) != nil { return .ecdsa(tls13Scheme: 0x0603) }
        if _RSA.Signing.PublicKey(key) != nil { return .rsa }
        return .other
    }

    /// RFC 5929 §4.1: the certificate hashed with its signature's hash, SHA-256 for anything weaker.
    static func channelBinding(certificateDER der: [UInt8]) -> [UInt8] {
        let algorithm = (try? Certificate(derEncoded: der))?.signatureAlgorithm
        let hash: SCRAMServer.SignatureHash
        switch algorithm {
        case .ecdsaWithSHA384?, .sha384WithRSAEncryption?: hash = .sha384
        case .ecdsaWithSHA512?, .sha512WithRSAEncryption?: hash = .sha512
        default: hash = .sha256OrWeaker
        }
        return SCRAMServer.tlsServerEndPoint(certificateDER: der, signatureHash: hash)
    }

    static func read(_ url: URL, what: String) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw ServerError.configuration("cannot read the \(what) \(url.path): \(error.localizedDescription)")
        }
    }
}
