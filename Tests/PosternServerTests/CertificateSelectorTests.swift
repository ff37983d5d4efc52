import Foundation
import IMAPSession
import Logging
import NIOCore
import NIOEmbedded
import NIOSSL
import Testing

@testable import PosternServer

/// The handler that reads the ClientHello and puts the TLS handler with the chosen certificate in its
/// place, on an EmbeddedChannel fed real clients' hellos in chunks.
@Suite struct CertificateSelectorTests {
    /// A data folder's ECDSA and RSA pairs, made once and loaded; the folder is removed at once.
    static let setup: (TLSMaterial, [[UInt8]]) = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "postern-select-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = try! TLSSetup.settings(for: ServerConfiguration(dataDirectory: folder))
        try! TLSSetup.makeMissingSelfSigned(settings, hostName: "localhost")
        let ders = settings.pairs.map { try! NIOSSLCertificate.fromPEMFile($0.certificate.path)[0].toDERBytes() }
        return (try! TLSSetup.load(settings), ders)
    }()

    static func hello(_ name: String) throws -> [UInt8] {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/FuzzClientHello")
        return Array(try Data(contentsOf: corpus.appendingPathComponent(name)).dropFirst())
    }

    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let selector = CertificateSelector(material: setup.0, peer: TLSPeerBox(), logger: Logger(label: "test"))
        try channel.pipeline.syncOperations.addHandler(selector)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 993)).wait()
        return channel
    }

    static func has<H: ChannelHandler>(_ type: H.Type, _ channel: EmbeddedChannel) -> Bool {
        (try? channel.pipeline.syncOperations.handler(type: type)) != nil
    }

    static func outbound(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var out: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { out += buffer.readableBytesView }
        return out
    }

    /// TLS 1.2 sends the certificate in clear: the ServerHello flight shows which one was chosen.
    @Test(
        arguments: [("openssl-tls12-rsa-only", 1), ("openssl-tls12-ecdsa", 0), ("python-tls12-rsa", 1)],
        [1, 10, 1000])
    func chosenCertificateIsServed(client: (name: String, index: Int), chunk: Int) throws {
        let (name, index) = client
        let hello = try Self.hello(name)
        let channel = try Self.channel()
        defer { _ = try? channel.finish() }
        var offset = 0
        while offset < hello.count {
            #expect(Self.has(CertificateSelector.self, channel))
            try channel.writeInbound(ByteBuffer(bytes: hello[offset..<min(offset + chunk, hello.count)]))
            offset += chunk
        }
        #expect(!Self.has(CertificateSelector.self, channel))
        #expect(Self.has(NIOSSLServerHandler.self, channel))
        #expect(Self.has(TLSPeerRecorder.self, channel))
        let flight = try Self.outbound(channel)
        let (served, other) = (Self.setup.1[index], Self.setup.1[1 - index])
        #expect(flight.firstRange(of: served) != nil)
        #expect(flight.firstRange(of: other) == nil)
    }

    @Test func partialHelloWaitsAndSendsNothing() throws {
        let channel = try Self.channel()
        defer { _ = try? channel.finish() }
        try channel.writeInbound(ByteBuffer(bytes: try Self.hello("python-default").prefix(100)))
        #expect(Self.has(CertificateSelector.self, channel))
        #expect(try Self.outbound(channel).isEmpty)
    }

    /// Bytes that are no ClientHello go to the first certificate's TLS handler, which refuses them.
    @Test func notAClientHelloGoesToTheTLSLayer() throws {
        let channel = try Self.channel()
        defer { _ = try? channel.finish() }
        #expect(throws: (any Error).self) { try channel.writeInbound(ByteBuffer(string: "a1 CAPABILITY\r\n")) }
        #expect(!Self.has(CertificateSelector.self, channel))
    }

    @Test func writeBeforeTheHandshakeIsRefused() throws {
        let channel = try Self.channel()
        let write = channel.writeAndFlush(ByteBuffer(string: "* OK in clear\r\n"))
        #expect(throws: (any Error).self) { try write.wait() }
        #expect(try Self.outbound(channel).isEmpty)
        #expect(!channel.isActive)
    }
}
