/// The kind of key a server certificate holds, as far as a client's offer decides whether it can be used.
public enum CertificateKind: Sendable, Equatable {
    /// An ECDSA key on a curve named by its TLS 1.3 signature scheme (RFC 8446 §4.2.3 binds the curve
    /// to the hash): 0x0403 for P-256, 0x0503 for P-384, 0x0603 for P-521.
    case ecdsa(tls13Scheme: UInt16)
    /// An RSA key (rsaEncryption): PKCS1 v1.5 signatures in TLS 1.2, RSA-PSS (rsae) in TLS 1.3.
    case rsa
    /// Any other key: never chosen by the offer, only as the default.
    case other
}

extension ClientHelloOffer {
    static let tls13: UInt16 = 0x0304

    /// TLS 1.2 cipher suites whose authentication is ECDSA (those BoringSSL implements).
    static let ecdsaSuites: Set<UInt16> = [0xC02B, 0xC02C, 0xCCA9, 0xC009, 0xC00A]
    /// TLS 1.2 cipher suites whose authentication is RSA: ECDHE_RSA and RSA key exchange.
    static let rsaSuites: Set<UInt16> = [0xC02F, 0xC030, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
    /// TLS 1.2 signature algorithms (hash byte, then 3 = ecdsa or 1 = rsa) and TLS 1.3's rsa_pss_rsae.
    static let ecdsaAlgorithms: Set<UInt16> = [0x0203, 0x0403, 0x0503, 0x0603]
    static let rsaAlgorithms: Set<UInt16> = [0x0201, 0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806]
    static let rsaPSSAlgorithms: Set<UInt16> = [0x0804, 0x0805, 0x0806]

    /// The server speaks TLS 1.2 and 1.3 and prefers 1.3: it is used when the client lists it in
    /// `supported_versions` (RFC 8446 §4.2.1); otherwise the handshake is TLS 1.2.
    public var negotiatesTLS13: Bool { supportedVersions?.contains(Self.tls13) ?? false }

    /// Whether a certificate of this kind can complete the handshake the client offers.
    ///
    /// TLS 1.3 (RFC 8446 §4.4.2.2): `signature_algorithms` must hold a scheme for the key (for ECDSA,
    /// the one of its curve). TLS 1.2 (RFC 5246 §7.4.2, RFC 8422 §5.1): a cipher suite that
    /// authenticates with the key's algorithm, and, when `signature_algorithms` is sent, a signature
    /// algorithm for it (when it is absent, SHA-1 with the key's algorithm is assumed).
    public func accepts(_ kind: CertificateKind) -> Bool {
        let algorithms = signatureAlgorithms
        if negotiatesTLS13 {
            guard let algorithms else { return false }
            switch kind {
            case .ecdsa(let scheme): return algorithms.contains(scheme)
            case .rsa: return algorithms.contains { Self.rsaPSSAlgorithms.contains($0) }
            case .other: return false
            }
        }
        switch kind {
        case .ecdsa:
            return cipherSuites.contains { Self.ecdsaSuites.contains($0) }
                && (algorithms?.contains { Self.ecdsaAlgorithms.contains($0) } ?? true)
        case .rsa:
            return cipherSuites.contains { Self.rsaSuites.contains($0) }
                && (algorithms?.contains { Self.rsaAlgorithms.contains($0) } ?? true)
        case .other:
            return false
        }
    }

    /// The index of the certificate to serve among `kinds` (in order of preference): the first the
    /// offer accepts, else the first (the TLS layer then answers the client as it must).
    public static func choose(among kinds: [CertificateKind], for offer: ClientHelloOffer?) -> Int {
        guard let offer else { return 0 }
        return kinds.firstIndex { offer.accepts($0) } ?? 0
    }
}

extension CertificateKind {
    /// `ecdsa`, `rsa` or `other`: how output and logs name a certificate.
    public var name: String {
        switch self {
        case .ecdsa: return "ecdsa"
        case .rsa: return "rsa"
        case .other: return "other"
        }
    }
}
