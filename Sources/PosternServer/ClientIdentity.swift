import Foundation
import NIOSSL
import X509

/// How a verified client certificate names the account it logs in to with AUTHENTICATE EXTERNAL
/// (RFC 4422 Appendix A): `tls_client_identity` and `tls_client_identity_domain`.
///
/// The names come from the certificate's subjectAltName e-mail addresses (`san-email`, RFC 5280
/// §4.2.1.6 rfc822Name) or from its subject's common names (`subject-cn`), in their order. Without a
/// domain the first name is the account name as it is (`alice@example.com`); with one, the first name
/// ending in `@DOMAIN` (in any case) gives its local part (`alice`), and names in other domains are
/// passed over. A certificate without such a name maps to no account: EXTERNAL is not offered.
public struct ClientIdentityRule: Sendable, Equatable {
    public enum Source: String, Sendable, CaseIterable {
        case sanEmail = "san-email"
        case subjectCN = "subject-cn"
    }

    public var source: Source
    public var domain: String?

    /// Longest account name taken from a certificate.
    static let maxNameBytes = 255

    public init(source: Source = .sanEmail, domain: String? = nil) {
        self.source = source
        self.domain = domain
    }

    public func accountName(for certificate: Certificate) -> String? {
        candidates(of: certificate).lazy.compactMap(map).first
    }

    func accountName(for certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else {
            return nil
        }
        return accountName(for: parsed)
    }

    private func candidates(of certificate: Certificate) -> [String] {
        switch source {
        case .sanEmail:
            let names = (try? certificate.extensions.subjectAlternativeNames) ?? nil
            return (names ?? SubjectAlternativeNames()).compactMap {
                if case .rfc822Name(let address) = $0 { return address }
                return nil
            }
        case .subjectCN:
            return certificate.subject.flatMap { $0 }.compactMap {
                $0.type == .RDNAttributeType.commonName ? String($0.value) : nil
            }
        }
    }

    /// The account name for one name of the certificate, or nil when it gives none.
    func map(_ name: String) -> String? {
        var result = name
        if let domain {
            let suffix = name.range(of: "@" + domain, options: [.caseInsensitive, .anchored, .backwards])
            guard let suffix else { return nil }
            result = String(name[..<suffix.lowerBound])
        }
        let acceptable =
            !result.isEmpty && result.utf8.count <= Self.maxNameBytes
            && !result.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        return acceptable ? result : nil
    }
}
