import NIOCore

/// A mailbox name exactly as on the wire: modified UTF-7 (RFC 3501 §5.1.3) or UTF-8 (RFC 9051).
public struct MailboxName: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { self.init(value) }

    public static let inbox = MailboxName("INBOX")

    /// True if the name is INBOX in any case.
    public var isInbox: Bool {
        guard bytes.count == 5 else { return false }
        return zip(bytes, "INBOX".utf8).allSatisfy { ($0 & 0xDF) == $1 }
    }

    /// The name decoded as UTF-8, if valid.
    public var utf8String: String? { String(validating: bytes, as: UTF8.self) }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

// MARK: - Encoding

extension ByteBuffer {
    /// mailbox = "INBOX" / astring
    @discardableResult
    public mutating func writeMailboxName(_ name: MailboxName) -> Int {
        writeIMAPAtomOrString(name.bytes)
    }
}
