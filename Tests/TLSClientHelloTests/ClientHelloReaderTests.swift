import Foundation
import FuzzClientHelloCheck
import TLSClientHello
import Testing

/// Real ClientHellos (openssl s_client, Python's ssl, curl) and their chunkings, the certificate each
/// gets, and every way bytes fail to be one.
@Suite struct ClientHelloReaderTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/FuzzClientHello")

    /// A captured ClientHello: the corpus file without its control byte.
    static func captured(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: corpus.appendingPathComponent(name)).dropFirst())
    }

    static let ecdsa = CertificateKind.ecdsa(tls13Scheme: 0x0403)
    static let kinds: [CertificateKind] = [ecdsa, .rsa]

    static func read(_ bytes: [UInt8]) -> ClientHelloReader.Status {
        var reader = ClientHelloReader()
        return reader.feed(bytes)
    }

    static func offer(_ bytes: [UInt8]) throws -> ClientHelloOffer {
        guard case .complete(let offer) = read(bytes) else {
            Issue.record("not read: \(read(bytes))")
            throw CancellationError()
        }
        return offer
    }

    @Test(
        arguments: [
            ("openssl-default", ecdsa), ("openssl-tls12-ecdsa", ecdsa), ("openssl-tls12-rsa-only", .rsa),
            ("openssl-tls13-rsa-pss-only", .rsa), ("python-default", ecdsa), ("python-tls12-rsa", .rsa),
            ("curl-imaps", ecdsa),
        ] as [(String, CertificateKind)])
    func realClientGetsTheCertificateItCanTake(name: String, kind: CertificateKind) throws {
        let offer = try Self.offer(try Self.captured(name))
        #expect(Self.kinds[ClientHelloOffer.choose(among: Self.kinds, for: offer)] == kind)
        // An RSA-only server still serves its one certificate.
        #expect(ClientHelloOffer.choose(among: [.rsa], for: offer) == 0)
    }

    /// Every way of cutting a ClientHello in two, and one byte at a time, reads the same.
    @Test func everyChunkingReadsTheSame() throws {
        let bytes = try Self.captured("python-default")
        let whole = Self.read(bytes)
        for cut in 0...bytes.count {
            var reader = ClientHelloReader()
            #expect(reader.feed(bytes[..<cut]) == (cut == bytes.count ? whole : .needMore))
            #expect(reader.feed(bytes[cut...]) == whole, "cut at \(cut)")
        }
        var reader = ClientHelloReader()
        for byte in bytes { reader.feed([byte]) }
        #expect(reader.status == whole)
    }

    /// A ClientHello spread over records of any size reads as the one in a single record.
    @Test(arguments: [1, 2, 7, 100, 1 << 14])
    func recordsOfAnySize(size: Int) throws {
        let offer = try Self.offer(try Self.captured("openssl-default"))
        let message = ClientHelloBuilder.handshake(offer, extraExtensions: [(0, [0, 4, 0, 0, 1, 0x61])])
        #expect(Self.read(ClientHelloBuilder.records(message, recordSize: size)) == .complete(offer))
    }

    @Test func afterTheEndTheStatusStays() throws {
        let bytes = try Self.captured("curl-imaps")
        var reader = ClientHelloReader()
        let status = reader.feed(bytes + [22, 3, 3, 0, 1, 0xFF])
        #expect(reader.feed([0x17, 0x03]) == status)
        var refused = ClientHelloReader()
        #expect(refused.feed(Array("a1 CAPABILITY\r\n".utf8)) == .invalid(.notHandshakeRecord))
        #expect(refused.feed(bytes) == .invalid(.notHandshakeRecord))
    }

    @Test func tls12WithoutExtensions() throws {
        let offer = ClientHelloOffer(
            legacyVersion: 0x0303, cipherSuites: [0x009C], signatureAlgorithms: nil, supportedVersions: nil)
        let read = try Self.offer(ClientHelloBuilder.records(ClientHelloBuilder.handshake(offer)))
        #expect(read == offer)
        #expect(!read.negotiatesTLS13)
        #expect(read.accepts(.rsa) && !read.accepts(Self.ecdsa))
    }

    @Test(
        arguments: [
            ([23, 3, 3, 0, 5], ClientHelloError.notHandshakeRecord),
            ([0x80, 0x2E, 1, 3, 1], .notHandshakeRecord),
            (Array("a1 LOGIN".utf8), .notHandshakeRecord),
            ([22, 2, 0, 0, 5], .badRecord),
            ([22, 3, 5, 0, 5], .badRecord),
            ([22, 3, 1, 0, 0], .badRecord),
            ([22, 3, 1, 0x40, 1], .badRecord),
            ([22, 3, 1, 0, 4, 2, 0, 0, 0], .notClientHello),
            ([22, 3, 1, 0, 4, 1, 0, 0x40, 0], .tooLong),
        ] as [([UInt8], ClientHelloError)])
    func notAClientHello(bytes: [UInt8], error: ClientHelloError) {
        #expect(Self.read(bytes) == .invalid(error))
    }

    /// Records that never finish a ClientHello stop being read at the limit.
    @Test func endlessRecordsStopAtTheLimit() {
        var reader = ClientHelloReader()
        // A ClientHello announcing 16,000 bytes, sent one byte per record: 6 bytes per byte.
        reader.feed([22, 3, 1, 0, 4, 1, 0, 0x3E, 0x80])
        var fed = 9
        while reader.status == .needMore && fed < 10 * ClientHelloLimits.maxBytes {
            reader.feed([22, 3, 1, 0, 1, 0])
            fed += 6
        }
        #expect(reader.status == .invalid(.tooLong))
        #expect(fed <= ClientHelloLimits.maxBytes + 6)
    }

    /// A ClientHello body cut or bent in each of its fields.
    @Test(
        arguments: [
            ("empty", [], "legacy_version cut short"),
            ("no random", [3, 3] + [UInt8](repeating: 0, count: 31), "random cut short"),
            ("session id too long", [3, 3] + zeros(32) + [33] + zeros(33), "legacy_session_id"),
            ("session id cut short", [3, 3] + zeros(32) + [5, 1], "legacy_session_id cut short"),
            ("odd suites", [3, 3] + zeros(32) + [0, 0, 3, 0xC0, 0x2F, 0], "cipher_suites"),
            ("no suites", [3, 3] + zeros(32) + [0, 0, 0, 1, 0], "cipher_suites"),
            ("no compression", [3, 3] + zeros(32) + [0, 0, 2, 0xC0, 0x2F, 0], "legacy_compression_methods"),
            ("extensions cut short", prefix + [0, 9, 0, 13], "extensions cut short"),
            ("bytes after extensions", prefix + [0, 0, 7], "bytes after the extensions"),
            ("extension twice", prefix + [0, 8, 0, 5, 0, 0, 0, 5, 0, 0], "extension 5 twice"),
            ("odd signature algorithms", prefix + [0, 7, 0, 13, 0, 3, 0, 1, 4], "signature_algorithms"),
            ("signature algorithms too long", prefix + [0, 8, 0, 13, 0, 4, 0, 0, 4, 3], "signature_algorithms"),
            ("extra in signature algorithms", prefix + [0, 9, 0, 13, 0, 5, 0, 2, 4, 3, 9], "extension 13 too long"),
            ("empty supported versions", prefix + [0, 5, 0, 43, 0, 1, 0], "supported_versions"),
        ] as [(String, [UInt8], String)])
    func malformedBody(what: String, body: [UInt8], field: String) {
        #expect(ClientHelloOffer.parse(body[...]) == .failure(.malformed(field)), "\(what)")
        let message = [1, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        #expect(Self.read(ClientHelloBuilder.records(message)) == .invalid(.malformed(field)), "\(what)")
    }

    static func zeros(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: count) }
    /// Version, random, empty session id, one suite, null compression: where extensions begin.
    static let prefix: [UInt8] = [3, 3] + zeros(32) + [0, 0, 2, 0xC0, 0x2F, 1, 0]
}
