import TLSClientHello

/// A property of the ClientHello reader that an input broke.
public struct ClientHelloCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzClientHello harness, also run over its seed corpus by the unit tests.
///
/// The first byte picks the chunk size (1 to 256 bytes); the rest is what a client sent first. No input
/// may trap; the reader must come to the same status whether the bytes arrive whole or in chunks, and
/// look at no more than `ClientHelloLimits.maxBytes`; a ClientHello it read must read back the same
/// when written again; the certificate chosen for it is one of those offered.
public func checkClientHelloInput(_ bytes: [UInt8]) throws(ClientHelloCheckFailure) {
    guard let control = bytes.first else { return }
    let input = Array(bytes.dropFirst())
    let chunk = Int(control) + 1
    var whole = ClientHelloReader()
    let expected = whole.feed(input)
    var chunked = ClientHelloReader()
    var offset = 0
    while offset < input.count {
        chunked.feed(input[offset..<min(offset + chunk, input.count)])
        offset += chunk
    }
    guard chunked.status == expected else {
        throw ClientHelloCheckFailure(description: "chunks of \(chunk) gave \(chunked.status), whole \(expected)")
    }
    if input.count > ClientHelloLimits.maxBytes, expected == .needMore {
        throw ClientHelloCheckFailure(description: "still reading after \(input.count) bytes")
    }
    guard case .complete(let offer) = expected else { return }
    // Written in records of `chunk` bytes, unless their headers would push it past the limit.
    let message = ClientHelloBuilder.handshake(offer)
    let records = (message.count + chunk - 1) / chunk
    let recordSize = message.count + 5 * records <= ClientHelloLimits.maxBytes ? chunk : 1 << 14
    var again = ClientHelloReader()
    let reread = again.feed(ClientHelloBuilder.records(message, recordSize: recordSize))
    guard reread == expected else {
        throw ClientHelloCheckFailure(description: "written again, \(offer) read back as \(reread)")
    }
    let kinds: [CertificateKind] = [.ecdsa(tls13Scheme: 0x0403), .rsa, .other]
    let chosen = ClientHelloOffer.choose(among: kinds, for: offer)
    guard kinds.indices.contains(chosen) else {
        throw ClientHelloCheckFailure(description: "chose certificate \(chosen) of \(kinds.count)")
    }
}
