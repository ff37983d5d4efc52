import Crypto
import Foundation
import PosternServer
import SwiftASN1
import Testing
import X509

/// How a client certificate names its account (`tls_client_identity`, `tls_client_identity_domain`).
@Suite struct ClientIdentityTests {
    static func certificate(commonNames: [String], emails: [String]) throws -> Certificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            for commonName in commonNames { CommonName(commonName) }
        }
        let extensions = try Certificate.Extensions {
            if !emails.isEmpty { SubjectAlternativeNames(emails.map { GeneralName.rfc822Name($0) }) }
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: Date(), notValidAfter: Date().addingTimeInterval(3600), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(key))
    }

    @Test func sanEmailIsTheDefault() throws {
        let certificate = try Self.certificate(commonNames: ["Alice"], emails: ["alice@example.com", "a@other.org"])
        #expect(ClientIdentityRule().accountName(for: certificate) == "alice@example.com")
        #expect(ClientIdentityRule(domain: "EXAMPLE.com").accountName(for: certificate) == "alice")
        #expect(ClientIdentityRule(domain: "other.org").accountName(for: certificate) == "a")
        #expect(ClientIdentityRule(domain: "example.net").accountName(for: certificate) == nil)
        #expect(ClientIdentityRule(domain: "ample.com").accountName(for: certificate) == nil)
    }

    @Test func subjectCommonName() throws {
        let certificate = try Self.certificate(commonNames: ["bob@example.com"], emails: ["alice@example.com"])
        #expect(ClientIdentityRule(source: .subjectCN).accountName(for: certificate) == "bob@example.com")
        #expect(ClientIdentityRule(source: .subjectCN, domain: "example.com").accountName(for: certificate) == "bob")
        let plain = try Self.certificate(commonNames: ["carol"], emails: [])
        #expect(ClientIdentityRule(source: .subjectCN).accountName(for: plain) == "carol")
        #expect(ClientIdentityRule().accountName(for: plain) == nil)
    }

    @Test func unusableNamesAreSkipped() throws {
        let certificate = try Self.certificate(
            commonNames: ["x"], emails: ["@example.com", "eve\r\n@example.com", "dave@example.com"])
        #expect(ClientIdentityRule(domain: "example.com").accountName(for: certificate) == "dave")
        let long = try Self.certificate(commonNames: [String(repeating: "a", count: 256)], emails: [])
        #expect(ClientIdentityRule(source: .subjectCN).accountName(for: long) == nil)
    }
}
