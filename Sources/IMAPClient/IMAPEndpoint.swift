/// Where to migrate from: `imaps://login@host[:port]` (implicit TLS, port 993) or
/// `imap://login@host[:port]` (STARTTLS required, port 143). The login may contain "@" (the last one
/// separates it from the host) and percent-escapes; a password in the URL is refused.
public struct IMAPEndpoint: Sendable, Equatable {
    public enum Security: Sendable, Equatable {
        case implicitTLS
        case startTLS
    }

    public var security: Security
    public var login: String
    public var host: String
    public var port: Int

    public init(security: Security, login: String, host: String, port: Int) {
        self.security = security
        self.login = login
        self.host = host
        self.port = port
    }

    /// The URL without a password: what messages and the migration state name.
    public var description: String {
        let scheme = security == .implicitTLS ? "imaps" : "imap"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(login)@\(shownHost):\(port)"
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// imap-url = ("imap" / "imaps") "://" login "@" host [":" port] ["/"]
    public init(parsing text: String) throws {
        func fail(_ why: String) -> ParseError { ParseError(description: "--from \(why)") }
        let rest: Substring
        if text.lowercased().hasPrefix("imaps://") {
            security = .implicitTLS
            port = 993
            rest = text.dropFirst(8)
        } else if text.lowercased().hasPrefix("imap://") {
            security = .startTLS
            port = 143
            rest = text.dropFirst(7)
        } else {
            throw fail("must start with imaps:// or imap://")
        }
        let authority = rest.hasSuffix("/") ? rest.dropLast() : rest
        guard !authority.contains("/"), !authority.contains("?"), !authority.contains("#") else {
            throw fail("must be imaps://login@host[:port] (no path)")
        }
        guard let at = authority.lastIndex(of: "@") else { throw fail("needs a login: imaps://login@host[:port]") }
        let userInfo = authority[..<at]
        guard !userInfo.contains(":") else {
            throw fail("must not contain a password (use --password-file or POSTERN_MIGRATE_PASSWORD)")
        }
        guard let login = Self.percentDecoded(userInfo), !login.isEmpty else {
            throw fail("has an empty or malformed login")
        }
        self.login = login
        var hostPort = authority[authority.index(after: at)...]
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("has an unclosed [ in the host") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            hostPort = hostPort[hostPort.index(after: close)...]
            guard hostPort.isEmpty || hostPort.hasPrefix(":") else { throw fail("has text after the host") }
        } else {
            let colon = hostPort.firstIndex(of: ":") ?? hostPort.endIndex
            host = String(hostPort[..<colon])
            hostPort = hostPort[colon...]
        }
        guard !host.isEmpty, host.utf8.count <= 253 else { throw fail("needs a host") }
        if hostPort.hasPrefix(":") {
            guard let value = Int(hostPort.dropFirst()), (1...65535).contains(value) else {
                throw fail("has a port that is not a number from 1 to 65535")
            }
            port = value
        }
    }

    /// Decodes %XX escapes; nil when one is malformed or the result is not UTF-8 or has control characters.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex else { return nil }
                let second = utf8.index(after: first)
                guard let value = UInt8(String(decoding: [utf8[first], utf8[second]], as: UTF8.self), radix: 16) else {
                    return nil
                }
                bytes.append(value)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
