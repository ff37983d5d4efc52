import Crypto
import Foundation
import SwiftASN1
import X509

/// Makes the self-signed ECDSA P-256 certificate of the embedded default (first start).
public enum SelfSignedCertificate {
    public struct Generated: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String
        /// SHA-256 of the DER certificate, as colon-separated upper-case hex.
        public var fingerprint: String
    }

    /// A certificate for `hostName`, `localhost`, 127.0.0.1 and ::1, valid for ten years, not a CA,
    /// usable only for TLS server authentication.
    public static func generate(hostName: String, now: Date = Date()) throws -> Generated {
        let key = P256.Signing.PrivateKey()
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
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(alternativeNames)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        return Generated(
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: key.pemRepresentation,
            fingerprint: fingerprint(der: der)
        )
    }

    public static func fingerprint(der: [UInt8]) -> String {
        SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }
}
