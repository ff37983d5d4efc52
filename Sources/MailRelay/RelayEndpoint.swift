/// Where outgoing mail (Sieve redirect and vacation replies) is handed over: an SMTP server that
/// relays for us, normally the local MTA.
///
/// Format: `smtp://HOST[:PORT]` (port 25 when omitted); HOST may be a name, an IPv4 address or an
/// IPv6 address in brackets. Only plain SMTP: the relay is expected on the same machine or a trusted
/// network (submission over TLS is not offered).
public struct RelayEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `smtp://HOST[:PORT]`; the error names what is wrong in one line.
    public init(url: String) throws(RelayError) {
        let scheme = "smtp://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw .badEndpoint("\(url): the relay must be an smtp://HOST[:PORT] address")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var host: Substring
        var port: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .badEndpoint("\(url): unclosed [ in the host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .badEndpoint("\(url): unexpected text after the host") }
                port = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            port = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains(where: { $0 == "/" || $0 == "@" || $0 == " " }) else {
            throw .badEndpoint("\(url): a host is needed")
        }
        var number = 25
        if let port {
            guard let value = Int(port), (1...65535).contains(value) else {
                throw .badEndpoint("\(url): the port must be a number from 1 to 65535")
            }
            number = value
        }
        self.init(host: String(host), port: number)
    }

    public var description: String {
        host.contains(":") ? "smtp://[\(host)]:\(port)" : "smtp://\(host):\(port)"
    }
}
