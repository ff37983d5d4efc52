import TLSClientHello

/// Writes a ClientHello for an offer, in TLS records: what the round-trip check and the unit tests
/// feed to `ClientHelloReader`.
public enum ClientHelloBuilder {
    /// The handshake message (header and body) for `offer`; the extensions come in the order given
    /// by `extraExtensions` first (type and data, e.g. server_name), then the offer's own.
    public static func handshake(_ offer: ClientHelloOffer, extraExtensions: [(UInt16, [UInt8])] = []) -> [UInt8] {
        var body = bytes(offer.legacyVersion) + [UInt8](repeating: 0xA5, count: 32)
        body += [0]
        body += vector16(offer.cipherSuites.flatMap(bytes))
        body += [1, 0]
        var extensions = extraExtensions
        if let algorithms = offer.signatureAlgorithms {
            extensions.append((13, vector16(algorithms.flatMap(bytes))))
        }
        if let versions = offer.supportedVersions {
            let list = versions.flatMap(bytes)
            extensions.append((43, [UInt8(list.count & 0xFF)] + list))
        }
        if !extensions.isEmpty {
            body += vector16(extensions.flatMap { bytes($0.0) + vector16($0.1) })
        }
        let length = body.count
        return [1, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body
    }

    /// `message` cut into handshake records of at most `recordSize` bytes of fragment each.
    public static func records(_ message: [UInt8], recordSize: Int = 1 << 14) -> [UInt8] {
        var out: [UInt8] = []
        var rest = message[...]
        while !rest.isEmpty {
            let fragment = rest.prefix(max(1, recordSize))
            rest = rest.dropFirst(fragment.count)
            out += [22, 3, 1, UInt8(fragment.count >> 8), UInt8(fragment.count & 0xFF)] + fragment
        }
        return out
    }

    static func bytes(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    static func vector16(_ content: [UInt8]) -> [UInt8] {
        bytes(UInt16(truncatingIfNeeded: content.count)) + content
    }
}
