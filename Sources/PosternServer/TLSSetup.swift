import Foundation
import MailStore
import NIOCore
import NIOSSL
import TLSClientHello

/// Where the server's TLS material comes from: the certificate and key pairs in order of preference,
/// the client-CA bundle and the rule that names the account of a client certificate.
public struct TLSSettings: Sendable, Equatable {
    public struct Pair: Sendable, Equatable {
        public var certificate: URL
        public var key: URL
        /// Made on first start when missing: one of the data folder's self-signed pairs.
        public var selfSigned: SelfSignedCertificate.KeyType?

        public init(certificate: URL, key: URL, selfSigned: SelfSignedCertificate.KeyType? = nil) {
            self.certificate = certificate
            self.key = key
            self.selfSigned = selfSigned
        }
    }

    public var pairs: [Pair]
    /// Client certificates are asked for (not required) and verified against this bundle.
    public var clientCA: URL?
    public var clientIdentity: ClientIdentityRule

    /// Every file the material is read from: a change to one of them reloads it.
    public var files: [URL] {
        pairs.flatMap { [$0.certificate, $0.key] } + (clientCA.map { [$0] } ?? [])
    }

    /// The data folder's self-signed certificates, when they are the ones in use.
    public var selfSignedCertificates: [URL] {
        pairs.filter { $0.selfSigned != nil }.map(\.certificate)
    }
}

/// The server's TLS contexts, one per certificate, built from `TLSSettings`: TLS 1.2 and 1.3 only
/// (RFC 8314 §4.1 asks for current TLS; older versions are refused).
public struct TLSMaterial: Sendable {
    public struct Served: Sendable {
        public var context: NIOSSLContext
        public var kind: CertificateKind
        public var fingerprint: String
        /// The certificate's `tls-server-end-point` channel binding (SCRAM-SHA-256-PLUS).
        public var channelBinding: [UInt8]
        /// When the leaf certificate expires.
        public var notValidAfter: Date
    }

    /// In order of preference; never empty.
    public var served: [Served]
    /// Set when a client-CA bundle is configured: how a verified client certificate names its account.
    public var clientIdentity: ClientIdentityRule?

    /// The first certificate's fingerprint.
    public var fingerprint: String { served[0].fingerprint }

    /// The certificate for a client's offer (nil when its ClientHello could not be read).
    public func choose(for offer: ClientHelloOffer?) -> Served {
        served[ClientHelloOffer.choose(among: served.map(\.kind), for: offer)]
    }
}

public enum TLSSetup {
    /// How long a closing connection waits for the client's TLS close_notify before it closes TCP. The
    /// TLS layer keeps the whole connection (pipeline, buffers, TLS state) until the reply or this
    /// timeout, and a client under load takes its time to answer, or never does: with the 5 s default a
    /// server taking 250 logouts a second holds over a thousand finished connections, with 1 s still
    /// a quarter of its memory under imaptest's stress load (figures in Benchmarks/README.md). Waiting
    /// less costs the client nothing: our close_notify and everything before it are already sent, and
    /// its own close_notify, if it comes after the close, only meets a TCP reset.
    static let closeNotifyWait = TimeAmount.milliseconds(250)

    /// The data folder's self-signed pairs: ECDSA (`tls/cert.pem`, `tls/key.pem`), then RSA
    /// (`tls/cert-rsa.pem`, `tls/key-rsa.pem`).
    public static func defaultPairs(dataDirectory: URL) -> [TLSSettings.Pair] {
        let dir = dataDirectory.appendingPathComponent("tls", isDirectory: true)
        return [
            .init(
                certificate: dir.appendingPathComponent("cert.pem"), key: dir.appendingPathComponent("key.pem"),
                selfSigned: .ecdsaP256),
            .init(
                certificate: dir.appendingPathComponent("cert-rsa.pem"),
                key: dir.appendingPathComponent("key-rsa.pem"), selfSigned: .rsa2048),
        ]
    }

    /// Without `tls_cert` the data folder's two self-signed pairs are served; with it, that pair and,
    /// if given, the `tls_rsa_cert` pair.
    public static func settings(for configuration: ServerConfiguration) throws -> TLSSettings {
        func pair(_ certificate: String?, _ key: String?, _ names: String) throws -> TLSSettings.Pair? {
            switch (certificate, key) {
            case (let certificate?, let key?):
                return .init(certificate: URL(fileURLWithPath: certificate), key: URL(fileURLWithPath: key))
            case (nil, nil): return nil
            default: throw ServerError.configuration("\(names) go together: give both or neither")
            }
        }
        let main = try pair(configuration.tlsCertificatePath, configuration.tlsKeyPath, "--tls-cert and --tls-key")
        let rsa = try pair(
            configuration.tlsRSACertificatePath, configuration.tlsRSAKeyPath, "--tls-rsa-cert and --tls-rsa-key")
        var pairs: [TLSSettings.Pair]
        if let main {
            pairs = [main] + (rsa.map { [$0] } ?? [])
        } else if rsa != nil {
            throw ServerError.configuration(
                "--tls-rsa-cert needs --tls-cert (the data folder's pairs are used together)")
        } else {
            pairs = defaultPairs(dataDirectory: configuration.dataDirectory)
        }
        return TLSSettings(
            pairs: pairs, clientCA: configuration.tlsClientCAPath.map { URL(fileURLWithPath: $0) },
            clientIdentity: configuration.tlsClientIdentity)
    }

    /// Makes each self-signed pair of `settings` that is missing (first start, or a data folder from
    /// before the RSA pair). Runs before the listeners, off any event loop.
    public static func makeMissingSelfSigned(_ settings: TLSSettings, hostName: String) throws {
        let fm = FileManager.default
        for pair in settings.pairs {
            guard let keyType = pair.selfSigned,
                !fm.fileExists(atPath: pair.certificate.path) || !fm.fileExists(atPath: pair.key.path)
            else { continue }
            let made = try SelfSignedCertificate.generate(hostName: hostName, keyType: keyType)
            do {
                try DurableFiles.makeDirectory(pair.certificate.deletingLastPathComponent())
            } catch {
                throw ServerError.configuration("cannot create the TLS folder: \(error)")
            }
            try writeFile(made.privateKeyPEM, to: pair.key, mode: 0o600)
            try writeFile(made.certificatePEM, to: pair.certificate, mode: 0o644)
        }
    }

    /// Reads every file of `settings` and builds a context per certificate. Slow (file reads, PEM and
    /// key checks): never on an event loop.
    public static func load(_ settings: TLSSettings) throws -> TLSMaterial {
        var clientCA: [NIOSSLCertificate]?
        if let url = settings.clientCA {
            let bytes = try TLSCredential.read(url, what: "client-CA bundle")
            let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes)
            guard let certificates, !certificates.isEmpty else {
                throw ServerError.configuration("cannot read the client-CA bundle \(url.path): no PEM certificate")
            }
            clientCA = certificates
        }
        let served = try settings.pairs.map { pair in
            let credential = try TLSCredential.load(certificate: pair.certificate, key: pair.key)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: credential.chain.map { .certificate($0) }, privateKey: .privateKey(credential.key))
            configuration.minimumTLSVersion = .tlsv12
            configuration.maximumTLSVersion = .tlsv13
            configuration.shutdownTimeout = Self.closeNotifyWait
            if let clientCA {
                // Asked for, not required: a certificate that is sent must chain to the bundle, or
                // the handshake fails; without one the client logs in with a password.
                configuration.certificateVerification = .optionalVerification
                configuration.trustRoots = .certificates(clientCA)
                configuration.sendCANameList = true
            }
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw ServerError.configuration("cannot use the TLS certificate \(pair.certificate.path): \(error)")
            }
            return TLSMaterial.Served(
                context: context, kind: credential.kind, fingerprint: credential.fingerprint,
                channelBinding: credential.channelBinding, notValidAfter: credential.notValidAfter)
        }
        return TLSMaterial(served: served, clientIdentity: clientCA == nil ? nil : settings.clientIdentity)
    }

    /// Written durably (see `DurableFiles.writeAtomically`): a power cut during first start leaves no
    /// empty or partial certificate or key that would keep the server from starting again.
    private static func writeFile(_ text: String, to url: URL, mode: mode_t) throws {
        do {
            try DurableFiles.writeAtomically(Array(text.utf8), to: url, mode: mode)
        } catch {
            throw ServerError.configuration("cannot write \(url.path): \(error)")
        }
    }
}

public enum ServerError: Error, CustomStringConvertible {
    case configuration(String)
    case bind(String)

    public var description: String {
        switch self {
        case .configuration(let message), .bind(let message): return message
        }
    }
}
