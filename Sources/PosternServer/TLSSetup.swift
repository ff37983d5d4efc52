import Foundation
import Logging
import MailStore
import NIOCore
import NIOSSL
import SASL
import X509

/// Loads (or, on the embedded default, creates) the server's certificate and builds the TLS context:
/// TLS 1.2 and 1.3 only (RFC 8314 §4.1 asks for current TLS; older versions are refused).
public enum TLSSetup {
    /// How long a closing connection waits for the client's TLS close_notify before it closes TCP. The
    /// TLS layer keeps the whole connection (pipeline, buffers, TLS state) until the reply or this
    /// timeout, and a client under load takes its time to answer, or never does: with the 5 s default a
    /// server taking 250 logouts a second holds over a thousand finished connections, with 1 s still
    /// a quarter of its memory under imaptest's stress load (figures in Benchmarks/README.md). Waiting
    /// less costs the client nothing: our close_notify and everything before it are already sent, and
    /// its own close_notify, if it comes after the close, only meets a TCP reset.
    static let closeNotifyWait = TimeAmount.milliseconds(250)

    public struct Material: Sendable {
        public var context: NIOSSLContext
        public var fingerprint: String
        /// The data folder's self-signed certificate when it is the one in use (no `--tls-cert`).
        public var dataFolderCertificate: URL?
        /// The `tls-server-end-point` channel binding of the certificate (SCRAM-SHA-256-PLUS).
        public var channelBinding: [UInt8]
    }

    public static func defaultPaths(dataDirectory: URL) -> (certificate: URL, key: URL) {
        let dir = dataDirectory.appendingPathComponent("tls", isDirectory: true)
        return (dir.appendingPathComponent("cert.pem"), dir.appendingPathComponent("key.pem"))
    }

    /// With explicit paths, both files must exist. Without, the data folder's pair is used, and
    /// generated when it is missing (on first start).
    public static func load(
        certificatePath: String?, keyPath: String?, dataDirectory: URL, hostName: String
    ) throws -> Material {
        var dataFolderCertificate: URL?
        let certURL: URL
        let keyURL: URL
        if let certificatePath, let keyPath {
            certURL = URL(fileURLWithPath: certificatePath)
            keyURL = URL(fileURLWithPath: keyPath)
        } else if certificatePath != nil || keyPath != nil {
            throw ServerError.configuration("--tls-cert and --tls-key go together: give both or neither")
        } else {
            (certURL, keyURL) = defaultPaths(dataDirectory: dataDirectory)
            dataFolderCertificate = certURL
            let fm = FileManager.default
            if !fm.fileExists(atPath: certURL.path) || !fm.fileExists(atPath: keyURL.path) {
                let made = try SelfSignedCertificate.generate(hostName: hostName)
                do {
                    try DurableFiles.makeDirectory(certURL.deletingLastPathComponent())
                } catch {
                    throw ServerError.configuration("cannot create the TLS folder: \(error)")
                }
                try writeFile(made.privateKeyPEM, to: keyURL, mode: 0o600)
                try writeFile(made.certificatePEM, to: certURL, mode: 0o644)
            }
        }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certURL.path)
        } catch {
            throw ServerError.configuration("cannot read the TLS certificate \(certURL.path): \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyURL.path, format: .pem)
        } catch {
            throw ServerError.configuration("cannot read the TLS key \(keyURL.path): \(error)")
        }
        guard let leaf = chain.first else {
            throw ServerError.configuration("no certificate in \(certURL.path)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.shutdownTimeout = Self.closeNotifyWait
        let context = try NIOSSLContext(configuration: configuration)
        let der = try leaf.toDERBytes()
        return Material(
            context: context, fingerprint: SelfSignedCertificate.fingerprint(der: der),
            dataFolderCertificate: dataFolderCertificate, channelBinding: channelBinding(certificateDER: der))
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
