import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Makes the self-signed certificates of the embedded default (first start): ECDSA P-256, which
/// current clients take, and RSA 2048 for clients limited to RSA.
public enum SelfSignedCertificate {
    public enum KeyType: Sendable {
        case ecdsaP256
        case rsa2048
    }

    public struct Generated: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String
        /// SHA-256 of the DER certificate, as colon-separated upper-case hex.
        public var fingerprint: String
    }

    /// A certificate for `hostName`, `localhost`, 127.0.0.1 and ::1, valid for ten years, not a CA,
    /// usable only for TLS server authentication.
    public static func generate(
        hostName: String, keyType: KeyType = .ecdsaP256, now: Date = Date()
    ) throws
        -> Generated
    {
        let privateKey: Certificate.PrivateKey
        let privateKeyPEM: String
        let signatureAlgorithm: Certificate.SignatureAlgorithm
        let usage: KeyUsage
        switch keyType {
        case .ecdsaP256:
            let key = P256.Signing.PrivateKey()
            (privateKey, privateKeyPEM) = (Certificate.PrivateKey(key), key.pemRepresentation)
            signatureAlgorithm = .ecdsaWithSHA256
            usage = KeyUsage(digitalSignature: true)
        case .rsa2048:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            (privateKey, privateKeyPEM) = (Certificate.PrivateKey(key), key.pemRepresentation)
            signatureAlgorithm = .sha256WithRSAEncryption
            // keyEncipherment: TLS 1.2 clients limited to RSA key exchange.
            usage = KeyUsage(digitalSignature: true, keyEncipherment: true)
        }
        let name = try DistinguishedName {
            CommonName(hostName)
            OrganizationName("Postern (self-signed)")
        }
        var dnsNames = ["localhost"]
        if hostName.lowercased() != "localhost" && !hostName.isEmpty { dnsNames.insert(hostName, at: 0) }
        var alternativeNames = dnsNames.map { GeneralName.dnsName($0) }
        alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])))
        alternativeNames.append(
            .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))))
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(usage)
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(alternativeNames)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: privateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name,
            subject: name,
            signatureAlgorithm: signatureAlgorithm,
            extensions: extensions,
            issuerPrivateKey: privateKey
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        return Generated(
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: privateKeyPEM,
            fingerprint: fingerprint(der: der)
        )
    }

    public static func fingerprint(der: [UInt8]) -> String {
        SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }
}
