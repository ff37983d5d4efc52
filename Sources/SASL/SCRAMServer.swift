import Crypto
import Foundation

/// What the server keeps of a password for SCRAM-SHA-256 (RFC 5802 §3): never the password.
public struct SCRAMVerifier: Sendable, Equatable {
    public var salt: [UInt8]
    public var iterations: Int
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }
}

/// The server side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677), with the channel
/// binding `tls-server-end-point` (RFC 5929 §4) for -PLUS: the TLS library gives the certificate, not
/// an exporter.
///
/// Exchange: client-first (maybe as the initial response) → `lookUp` → `credentials` → server-first
/// challenge → client-final → `success` with the server signature as additional data, or `failure`.
public struct SCRAMServer: Sendable {
    public static let name = "SCRAM-SHA-256"
    public static let plusName = "SCRAM-SHA-256-PLUS"
    public static let channelBindingType = "tls-server-end-point"

    private struct ClientFirst: Sendable {
        var gs2Header: String
        var bare: String
        var authcid: String
        var clientNonce: String
        var bindsChannel: Bool
    }

    private enum State: Sendable {
        case start
        case awaitingCredentials(ClientFirst)
        case awaitingFinal(ClientFirst, serverFirst: String, verifiers: [SCRAMVerifier])
        case done
    }

    private let plus: Bool
    private let channelBinding: [UInt8]?
    private let serverNonce: String
    private var state = State.start

    /// - Parameters:
    ///   - plus: the client chose SCRAM-SHA-256-PLUS.
    ///   - channelBinding: this connection's `tls-server-end-point` data, nil when the server offers no
    ///     -PLUS here (then a client that could bind, flag `y`, is not told it was downgraded).
    ///   - serverNonce: printable, without ","; random unless a test fixes it.
    public init(plus: Bool, channelBinding: [UInt8]?, serverNonce: String = SCRAMServer.randomNonce()) {
        self.plus = plus
        self.channelBinding = channelBinding
        self.serverNonce = serverNonce
    }

    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
    }

    /// SCRAM is client-first: without an initial response the server sends an empty challenge.
    public mutating func start(initialResponse: [UInt8]?) -> SASLStep {
        guard let initialResponse else { return .challenge([]) }
        return respond(initialResponse)
    }

    public mutating func respond(_ data: [UInt8]) -> SASLStep {
        guard data.count <= SASLLimits.maxMessageBytes, let text = utf8(data[...]) else {
            return fail(.malformed("not UTF-8 or too long"))
        }
        switch state {
        case .start:
            switch Self.parseClientFirst(text, plus: plus, serverBinds: channelBinding != nil) {
            case .success(let first):
                state = .awaitingCredentials(first)
                return .lookUp(authcid: first.authcid)
            case .failure(let failure):
                return fail(failure)
            }
        case .awaitingFinal(let first, let serverFirst, let verifiers):
            return final(text, first: first, serverFirst: serverFirst, verifiers: verifiers)
        case .awaitingCredentials, .done:
            return fail(.malformed("unexpected message"))
        }
    }

    /// The verifier of the user named in client-first. For an unknown user the session passes a
    /// stand-in verifier (stable salt, no valid proof), so the exchange looks the same. A proof that
    /// matches one of `alternatives` (the account's app passwords: same salt and iteration count, only
    /// their keys count) also succeeds.
    public mutating func credentials(_ verifier: SCRAMVerifier, alternatives: [SCRAMVerifier] = []) -> SASLStep {
        guard case .awaitingCredentials(let first) = state else { return fail(.malformed("unexpected verifier")) }
        let serverFirst =
            "r=\(first.clientNonce)\(serverNonce),s=\(Data(verifier.salt).base64EncodedString()),i=\(verifier.iterations)"
        state = .awaitingFinal(first, serverFirst: serverFirst, verifiers: [verifier] + alternatives)
        return .challenge(Array(serverFirst.utf8))
    }

    private mutating func fail(_ failure: SASLFailure) -> SASLStep {
        state = .done
        return .failure(failure)
    }

    /// client-final-message = channel-binding "," nonce ["," extensions] "," proof
    /// channel-binding = "c=" base64 ; nonce = "r=" c-nonce s-nonce ; proof = "p=" base64
    private mutating func final(
        _ text: String, first: ClientFirst, serverFirst: String, verifiers: [SCRAMVerifier]
    ) -> SASLStep {
        guard let proofStart = text.range(of: ",p=", options: .backwards) else {
            return fail(.malformed("client-final-message without proof"))
        }
        let withoutProof = String(text[..<proofStart.lowerBound])
        let fields = withoutProof.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 2, fields[0].hasPrefix("c="), fields[1].hasPrefix("r="),
            let binding = Data(base64Encoded: String(fields[0].dropFirst(2))),
            let proof = Data(base64Encoded: String(text[proofStart.upperBound...])), proof.count == 32
        else { return fail(.malformed("malformed client-final-message")) }
        let expectedBinding = Array(first.gs2Header.utf8) + (first.bindsChannel ? channelBinding ?? [] : [])
        guard Array(binding) == expectedBinding else { return fail(.channelBindingRefused("channel binding differs")) }
        guard fields[1].dropFirst(2) == first.clientNonce + serverNonce else {
            return fail(.malformed("nonce differs"))
        }
        let authMessage = Array("\(first.bare),\(serverFirst),\(withoutProof)".utf8)
        let matched = verifiers.first { verifier in
            let clientSignature = Array(
                HMAC<SHA256>.authenticationCode(for: authMessage, using: SymmetricKey(data: verifier.storedKey)))
            let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
            let storedKey = Array(SHA256.hash(data: clientKey))
            return verifier.storedKey.count == storedKey.count
                && zip(storedKey, verifier.storedKey).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
        }
        guard let verifier = matched else { return fail(.authenticationFailed) }
        let serverSignature = Data(
            HMAC<SHA256>.authenticationCode(for: authMessage, using: SymmetricKey(data: verifier.serverKey)))
        state = .done
        return .success(authcid: first.authcid, finalData: Array("v=\(serverSignature.base64EncodedString())".utf8))
    }

    /// client-first-message = gs2-header client-first-message-bare
    /// gs2-header = gs2-cbind-flag "," [ authzid ] ","
    /// gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
    /// client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    private static func parseClientFirst(
        _ text: String, plus: Bool, serverBinds: Bool
    ) -> Result<ClientFirst, SASLFailure> {
        let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.malformed("expected gs2-header and client-first-message-bare")) }
        let flag = parts[0]
        var bindsChannel = false
        switch flag {
        case "n":
            if plus { return .failure(.channelBindingRefused("-PLUS requires channel binding")) }
        case "y":
            // RFC 5802 §6: the client could bind but thought the server could not; the server can.
            if plus || serverBinds { return .failure(.channelBindingRefused("downgrade detected")) }
        case _ where flag.hasPrefix("p="):
            guard plus else { return .failure(.channelBindingRefused("channel binding needs -PLUS")) }
            guard flag.dropFirst(2) == channelBindingType, serverBinds else {
                return .failure(.channelBindingRefused("only \(channelBindingType) is supported"))
            }
            bindsChannel = true
        default:
            return .failure(.malformed("bad gs2-cbind-flag"))
        }
        var authzid: String?
        if !parts[1].isEmpty {
            guard parts[1].hasPrefix("a="), let name = decodeSASLName(parts[1].dropFirst(2)) else {
                return .failure(.malformed("bad authzid"))
            }
            authzid = name
        }
        let bare = String(parts[2])
        let fields = bare.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 2 else { return .failure(.malformed("expected username and nonce")) }
        if fields[0].hasPrefix("m=") { return .failure(.malformed("unsupported mandatory extension")) }
        guard fields[0].hasPrefix("n="), let authcid = decodeSASLName(fields[0].dropFirst(2)), !authcid.isEmpty,
            authcid.utf8.count <= SASLLimits.maxFieldBytes
        else { return .failure(.malformed("bad username")) }
        guard fields[1].hasPrefix("r="), fields[1].count > 2,
            fields[1].dropFirst(2).unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
        else { return .failure(.malformed("bad nonce")) }
        if let authzid, authzid.lowercased() != authcid.lowercased() { return .failure(.authorizationRefused) }
        let gs2Header = "\(parts[0]),\(parts[1]),"
        return .success(
            ClientFirst(
                gs2Header: gs2Header, bare: bare, authcid: authcid, clientNonce: String(fields[1].dropFirst(2)),
                bindsChannel: bindsChannel))
    }

    /// saslname = 1*(value-safe-char / "=2C" / "=3D"): "=" only as one of the two escapes.
    static func decodeSASLName(_ text: Substring) -> String? {
        guard !text.isEmpty else { return nil }
        var out = ""
        var rest = text[...]
        while let equals = rest.firstIndex(of: "=") {
            out += rest[..<equals]
            let escape = rest[equals...].prefix(3)
            switch escape {
            case "=2C": out += ","
            case "=3D": out += "="
            default: return nil
            }
            rest = rest[rest.index(equals, offsetBy: 3)...]
        }
        return out + rest
    }

    /// RFC 5929 §4.1: the hash of the server's certificate (DER), with SHA-256 when its signature
    /// algorithm uses MD5 or SHA-1 or SHA-256, else with that algorithm's hash.
    public static func tlsServerEndPoint(certificateDER: [UInt8], signatureHash: SignatureHash) -> [UInt8] {
        switch signatureHash {
        case .sha384: return Array(SHA384.hash(data: certificateDER))
        case .sha512: return Array(SHA512.hash(data: certificateDER))
        case .sha256OrWeaker: return Array(SHA256.hash(data: certificateDER))
        }
    }

    public enum SignatureHash: Sendable { case sha256OrWeaker, sha384, sha512 }
}
