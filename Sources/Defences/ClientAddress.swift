/// A client's IP address, as the defences see it: 16 bytes, an IPv4 address in its IPv4-mapped IPv6
/// form (RFC 4291 §2.5.5.2), so that `1.2.3.4` and `::ffff:1.2.3.4` are the same client.
public struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// From 4 (IPv4) or 16 (IPv6) network-order bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = Self.mappedPrefix + bytes
        case 16: self.bytes = bytes
        default: return nil
        }
    }

    /// Parses `1.2.3.4` or an IPv6 address in any RFC 4291 §2.2 form (`::1`, `2001:db8::7`,
    /// `::ffff:1.2.3.4`); a zone (`%eth0`) is ignored. Nil when it is neither.
    public init?(_ text: String) {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        if let v4 = Self.parseIPv4(text) {
            self.bytes = Self.mappedPrefix + v4
        } else if let v6 = Self.parseIPv6(text) {
            self.bytes = v6
        } else {
            return nil
        }
    }

    public var isIPv4: Bool { bytes.starts(with: Self.mappedPrefix) }

    /// What one client is counted as: an IPv4 address whole, an IPv6 address by its /64 (the network
    /// of one site or subscriber, whose holder can pick any address inside it). IPv4 keys start with
    /// 0xFF, the multicast prefix, which no IPv6 source address has, so the two kinds never collide.
    public var throttleKey: UInt64 {
        if isIPv4 {
            return 0xFF00_0000_0000_0000 | bytes[12...].reduce(0) { $0 << 8 | UInt64($1) }
        }
        return bytes[..<8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    public var description: String {
        if isIPv4 { return bytes[12...].map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for i in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }

    static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    /// IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet  (RFC 3986 §3.2.2)
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let n = UInt8(part),
                part.count == 1 || part.first != "0"
            else { return nil }
            out.append(n)
        }
        return out
    }

    /// IPv6address (RFC 3986 §3.2.2): up to eight h16 groups separated by ":", at most one "::"
    /// standing for one or more zero groups, the last 32 bits optionally as an IPv4address.
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.count <= 45, text.contains(":") else { return nil }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, item) in items.enumerated() {
                if index == items.count - 1, item.contains("."), let v4 = parseIPv4(item) {
                    out += v4
                    continue
                }
                guard (1...4).contains(item.count), let n = UInt16(item, radix: 16) else { return nil }
                out += [UInt8(n >> 8), UInt8(n & 0xFF)]
            }
            return out
        }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        switch halves.count {
        case 1:
            guard let all = groups(text), all.count == 16 else { return nil }
            return all
        case 2:
            guard let head = groups(halves[0]), let tail = groups(halves[1]),
                head.count + tail.count <= 14
            else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, or one address without a prefix
/// length), as given in the configuration's allow-lists.
public struct ClientNetwork: Hashable, Sendable, CustomStringConvertible {
    public let base: ClientAddress
    /// Prefix length over the 128-bit form (an IPv4 /8 is 96 + 8).
    public let prefixLength: Int

    /// Parses `ADDRESS[/LENGTH]`; nil when the address or the length is invalid.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = ClientAddress(String(parts[0])) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard parts[1].allSatisfy(\.isASCII), let n = Int(parts[1]), (0...width).contains(n) else { return nil }
            length = n
        }
        prefixLength = length + (address.isIPv4 ? 96 : 0)
        base = address
    }

    public func contains(_ address: ClientAddress) -> Bool {
        var remaining = prefixLength
        for i in 0..<16 where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address.bytes[i] & mask != base.bytes[i] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String {
        "\(base)/\(base.isIPv4 ? prefixLength - 96 : prefixLength)"
    }
}
