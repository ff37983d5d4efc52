/// The PROXY protocol, version 2 header a load balancer sends first on a TCP connection to pass on the
/// client's address (HAProxy's "PROXY protocol" specification, section 2.2). Binary format:
///
///     header    = signature ver-cmd fam-proto length addresses tlvs
///     signature = %x0D.0A.0D.0A.00.0D.0A.51.55.49.54.0A      ; 12 bytes
///     ver-cmd   = OCTET   ; high nibble 0x2 (version 2); low nibble 0x0 LOCAL or 0x1 PROXY
///     fam-proto = OCTET   ; high nibble 0x0 UNSPEC, 0x1 INET, 0x2 INET6, 0x3 UNIX;
///                         ; low nibble 0x0 UNSPEC, 0x1 STREAM, 0x2 DGRAM
///     length    = 2OCTET  ; bytes after these 16, network order (addresses and TLVs)
///     addresses = INET:  src-addr(4) dst-addr(4) src-port(2) dst-port(2)      ; 12 bytes
///               / INET6: src-addr(16) dst-addr(16) src-port(2) dst-port(2)    ; 36 bytes
///               / UNIX:  src-path(108) dst-path(108)                          ; 216 bytes
///               / nothing (UNSPEC)
///     tlvs      = *OCTET  ; type-length-value extensions, skipped
///
/// LOCAL (a health check of the balancer itself) and UNSPEC or UNIX addresses carry no client: the
/// connection's own peer stands. Version 1 (the text form) is not accepted.
public enum ProxyHeader {
    /// The 12 bytes every version 2 header starts with.
    public static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// Bytes before the addresses.
    public static let fixedLength = 16
    /// The longest header taken (the fixed part, addresses and TLVs); a longer one is refused.
    public static let maxLength = 1024

    /// What the header says about the client.
    public struct Source: Equatable, Sendable {
        /// The client's address and port, or nil when the header names none (LOCAL, UNSPEC, UNIX).
        public var address: ClientAddress?
        public var port: UInt16?

        public init(address: ClientAddress?, port: UInt16?) {
            self.address = address
            self.port = port
        }
    }

    public enum Outcome: Equatable, Sendable {
        /// The bytes so far are a valid beginning: more are needed.
        case needMore
        /// A whole header of `length` bytes; the connection's data starts after it.
        case header(Source, length: Int)
        /// Not a version 2 header (or one this server refuses): close the connection.
        case invalid(String)
    }

    /// Parses the start of a connection's bytes. A wrong byte is reported as soon as it arrives, so a
    /// client that speaks no PROXY protocol is told off at once rather than after 16 bytes.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Outcome {
        var index = bytes.startIndex
        var position = 0
        var fixed: [UInt8] = []
        while position < fixedLength, index != bytes.endIndex {
            let byte = bytes[index]
            if position < signature.count, byte != signature[position] {
                return .invalid("not a PROXY protocol v2 header")
            }
            fixed.append(byte)
            position += 1
            index = bytes.index(after: index)
        }
        if fixed.count > 12, fixed[12] >> 4 != 2 { return .invalid("PROXY protocol version \(fixed[12] >> 4)") }
        if fixed.count > 12, fixed[12] & 0x0F > 1 { return .invalid("unknown PROXY command \(fixed[12] & 0x0F)") }
        if fixed.count > 13, fixed[13] >> 4 > 3 || fixed[13] & 0x0F > 2 {
            return .invalid("unknown address family or protocol")
        }
        guard fixed.count == fixedLength else { return .needMore }
        let length = fixedLength + Int(fixed[14]) << 8 + Int(fixed[15])
        guard length <= maxLength else { return .invalid("PROXY header longer than \(maxLength) bytes") }
        let family = fixed[13] >> 4
        let addressLength = [0, 12, 36, 216][Int(family)]
        guard length - fixedLength >= addressLength else { return .invalid("PROXY header too short for its addresses") }
        guard bytes.count >= length else { return .needMore }
        // LOCAL: the balancer's own connection; UNSPEC and UNIX: no IP address to use.
        guard fixed[12] & 0x0F == 1, family == 1 || family == 2 else {
            return .header(Source(address: nil, port: nil), length: length)
        }
        let body = Array(bytes.dropFirst(fixedLength).prefix(addressLength))
        let size = family == 1 ? 4 : 16
        let address = ClientAddress(bytes: Array(body[0..<size]))
        let port = UInt16(body[2 * size]) << 8 | UInt16(body[2 * size + 1])
        return .header(Source(address: address, port: port), length: length)
    }
}
