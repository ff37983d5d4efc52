import Defences
import Foundation
import FuzzProxyParseCheck
import Testing

@Suite struct ProxyHeaderTests {
    static let signature = ProxyHeader.signature

    static func header(_ verCmd: UInt8, _ famProto: UInt8, _ body: [UInt8]) -> [UInt8] {
        signature + [verCmd, famProto, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    static let ipv4 = header(0x21, 0x11, [192, 0, 2, 1, 198, 51, 100, 7, 0xDC, 0x04, 0x03, 0xE1])
    static let ipv6WithTLV = header(
        0x21, 0x21, Array(0..<16) + Array(16..<32) + [0x01, 0x02, 0x00, 0x8F] + [0x04, 0x00, 0x02, 0xAB, 0xCD])

    @Test func ipv4ClientAndTheDataAfterIt() {
        let bytes = Self.ipv4 + Array("a1 NOOP\r\n".utf8)
        #expect(
            ProxyHeader.parse(bytes)
                == .header(.init(address: ClientAddress("192.0.2.1"), port: 56324), length: Self.ipv4.count))
    }

    @Test func ipv6ClientWithTLVsSkipped() {
        let expected = ClientAddress(bytes: Array(0..<16))
        #expect(
            ProxyHeader.parse(Self.ipv6WithTLV)
                == .header(.init(address: expected, port: 0x0102), length: Self.ipv6WithTLV.count))
    }

    /// LOCAL (the balancer's health check), UNSPEC and UNIX name no client: the peer address stands.
    @Test(arguments: [
        header(0x20, 0x00, []), header(0x20, 0x11, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        header(0x21, 0x00, [9, 9]), header(0x21, 0x31, [UInt8](repeating: 0, count: 216)),
    ])
    func headersWithoutAClient(_ bytes: [UInt8]) {
        #expect(ProxyHeader.parse(bytes) == .header(.init(address: nil, port: nil), length: bytes.count))
    }

    /// Every way the bytes can be split: a prefix is `.needMore` until the header is whole.
    @Test(arguments: [ipv4, ipv6WithTLV])
    func everyChunking(_ bytes: [UInt8]) throws {
        for end in 0..<bytes.count {
            #expect(ProxyHeader.parse(bytes[..<end]) == .needMore, "prefix of \(end)")
        }
        try checkProxyParseInput(bytes + Array("tail".utf8))
    }

    /// A client that speaks IMAP (or the text form of version 1) is refused at its first byte.
    @Test(arguments: ["a", "a1 LOGIN", "PROXY TCP4 192.0.2.1 198.51.100.7 56324 993\r\n", "\r\n\r\n\u{1}"])
    func notAVersion2Header(_ text: String) {
        guard case .invalid = ProxyHeader.parse(Array(text.utf8)) else {
            Issue.record("accepted \(text)")
            return
        }
    }

    @Test(arguments: [
        (signature + [0x11], "PROXY protocol version 1"),
        (signature + [0x22], "unknown PROXY command 2"),
        (signature + [0x21, 0x41], "unknown address family or protocol"),
        (signature + [0x21, 0x13], "unknown address family or protocol"),
        (signature + [0x21, 0x11, 0x00, 0x04, 1, 2, 3, 4], "PROXY header too short for its addresses"),
        (signature + [0x21, 0x21, 0x00, 12], "PROXY header too short for its addresses"),
    ])
    func invalidFixedParts(_ bytes: [UInt8], _ reason: String) {
        #expect(ProxyHeader.parse(bytes) == .invalid(reason))
    }

    /// The length limit: a header of exactly `maxLength` bytes is taken, one byte more is refused
    /// before its body arrives.
    @Test func lengthLimit() {
        let longest = Self.header(0x21, 0x11, [UInt8](repeating: 7, count: ProxyHeader.maxLength - 16))
        #expect(
            ProxyHeader.parse(longest)
                == .header(.init(address: ClientAddress("7.7.7.7"), port: 0x0707), length: longest.count))
        let tooLong = Self.header(0x21, 0x11, [UInt8](repeating: 7, count: ProxyHeader.maxLength - 15))
        #expect(
            ProxyHeader.parse(tooLong.prefix(16)) == .invalid("PROXY header longer than \(ProxyHeader.maxLength) bytes")
        )
    }

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/FuzzProxyParse")

    static func corpusNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).sorted()
    }

    @Test func corpusIsNotEmpty() {
        #expect(!Self.corpusNames().isEmpty, "seed corpus at \(Self.corpus.path)")
    }

    @Test(arguments: corpusNames())
    func corpusInput(_ name: String) throws {
        try checkProxyParseInput([UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name))))
    }
}
