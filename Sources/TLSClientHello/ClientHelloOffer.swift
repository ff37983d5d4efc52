/// What a client offers in its ClientHello that decides which certificate it can accept.
public struct ClientHelloOffer: Sendable, Equatable {
    /// `legacy_version` (TLS 1.2's `client_version`).
    public var legacyVersion: UInt16
    public var cipherSuites: [UInt16]
    /// The `signature_algorithms` extension (RFC 8446 §4.2.3); nil when absent.
    public var signatureAlgorithms: [UInt16]?
    /// The `supported_versions` extension (RFC 8446 §4.2.1); nil when absent (a TLS 1.2 client).
    public var supportedVersions: [UInt16]?

    public init(
        legacyVersion: UInt16, cipherSuites: [UInt16], signatureAlgorithms: [UInt16]?, supportedVersions: [UInt16]?
    ) {
        self.legacyVersion = legacyVersion
        self.cipherSuites = cipherSuites
        self.signatureAlgorithms = signatureAlgorithms
        self.supportedVersions = supportedVersions
    }

    static let signatureAlgorithmsExtension: UInt16 = 13
    static let supportedVersionsExtension: UInt16 = 43
    static let randomSize = 32
    static let maxSessionIDSize = 32

    /// Parses a ClientHello's body (after the 4-byte handshake header).
    ///
    /// RFC 8446 §4.1.2 (RFC 5246 §7.4.1.2 for TLS 1.2, where extensions may be absent), with the two
    /// extensions read here from §4.2.3 and §4.2.1; every other extension is skipped by its length:
    ///
    ///     ClientHello = legacy_version(2) random(32) legacy_session_id<0..32>
    ///                   cipher_suites<2..2^16-2> legacy_compression_methods<1..2^8-1>
    ///                   [extensions<0..2^16-1>]          ; nothing may follow
    ///     Extension   = extension_type(2) extension_data<0..2^16-1>   ; no type twice
    ///     signature_algorithms = supported_signature_algorithms<2..2^16-2>   ; 2-byte entries
    ///     supported_versions   = versions<2..254>                             ; 2-byte entries
    ///
    /// `<a..b>` is a vector whose length prefix is as wide as `b` needs (1 or 2 bytes).
    public static func parse(_ body: ArraySlice<UInt8>) -> Result<ClientHelloOffer, ClientHelloError> {
        var reader = ByteReader(body)
        do {
            let legacyVersion = try reader.uint16("legacy_version")
            try reader.skip(randomSize, "random")
            let sessionID = try reader.vector(lengthBytes: 1, "legacy_session_id")
            guard sessionID.count <= maxSessionIDSize else { throw ClientHelloError.malformed("legacy_session_id") }
            let suites = try pairs(reader.vector(lengthBytes: 2, "cipher_suites"), "cipher_suites")
            let compression = try reader.vector(lengthBytes: 1, "legacy_compression_methods")
            guard !compression.isEmpty else { throw ClientHelloError.malformed("legacy_compression_methods") }
            var offer = ClientHelloOffer(
                legacyVersion: legacyVersion, cipherSuites: suites, signatureAlgorithms: nil, supportedVersions: nil)
            guard !reader.isAtEnd else { return .success(offer) }
            var extensions = ByteReader(try reader.vector(lengthBytes: 2, "extensions"))
            guard reader.isAtEnd else { throw ClientHelloError.malformed("bytes after the extensions") }
            var seen: Set<UInt16> = []
            while !extensions.isAtEnd {
                let type = try extensions.uint16("extension_type")
                let data = try extensions.vector(lengthBytes: 2, "extension_data")
                guard seen.insert(type).inserted else { throw ClientHelloError.malformed("extension \(type) twice") }
                var content = ByteReader(data)
                switch type {
                case signatureAlgorithmsExtension:
                    offer.signatureAlgorithms = try pairs(
                        content.vector(lengthBytes: 2, "signature_algorithms"), "signature_algorithms")
                case supportedVersionsExtension:
                    offer.supportedVersions = try pairs(
                        content.vector(lengthBytes: 1, "supported_versions"), "supported_versions")
                default:
                    continue
                }
                guard content.isAtEnd else { throw ClientHelloError.malformed("extension \(type) too long") }
            }
            return .success(offer)
        } catch let error as ClientHelloError {
            return .failure(error)
        } catch {
            return .failure(.malformed("\(error)"))
        }
    }

    /// A vector of 2-byte entries: at least one, and no odd byte.
    private static func pairs(_ bytes: ArraySlice<UInt8>, _ field: String) throws -> [UInt16] {
        guard !bytes.isEmpty, bytes.count % 2 == 0 else { throw ClientHelloError.malformed(field) }
        var values: [UInt16] = []
        values.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            values.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        return values
    }
}

/// Big-endian reads from a byte slice; running past the end is `ClientHelloError.malformed`.
struct ByteReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func uint16(_ field: String) throws -> UInt16 {
        let two = try take(2, field)
        return UInt16(two[two.startIndex]) << 8 | UInt16(two[two.startIndex + 1])
    }

    mutating func skip(_ count: Int, _ field: String) throws {
        _ = try take(count, field)
    }

    /// A vector: its length in `lengthBytes` bytes, then that many bytes.
    mutating func vector(lengthBytes: Int, _ field: String) throws -> ArraySlice<UInt8> {
        let prefix = try take(lengthBytes, field)
        let length = prefix.reduce(0) { $0 << 8 | Int($1) }
        return try take(length, field)
    }

    private mutating func take(_ count: Int, _ field: String) throws -> ArraySlice<UInt8> {
        guard bytes.count >= count else { throw ClientHelloError.malformed("\(field) cut short") }
        defer { bytes = bytes.dropFirst(count) }
        return bytes.prefix(count)
    }
}
