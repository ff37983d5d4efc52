import MIME

/// The message a script runs against (RFC 5228 §1: read only), with its top-level header indexed by
/// field name once, so a script of many tests does not split the header each time.
public struct SieveMessage: Sendable {
    public let mime: MIMEMessage
    public var size: Int { mime.bytes.count }
    /// Lower-cased field name → the unfolded raw values, in order.
    let fields: [String: [[UInt8]]]

    public init(bytes: [UInt8]) { self.init(mime: MIMEMessage(bytes)) }

    public init(mime: MIMEMessage) {
        self.mime = mime
        var fields: [String: [[UInt8]]] = [:]
        let header = mime.root.header.clamped(to: 0..<mime.bytes.count)
        mime.bytes.withUnsafeBufferPointer { b in
            for field in HeaderParser.parse(b, in: header).fields {
                let name = String(decoding: UnsafeBufferPointer(rebasing: b[field.name]), as: UTF8.self).lowercased()
                fields[name, default: []].append(Self.unfold(b, field.value))
            }
        }
        self.fields = fields
    }

    /// RFC 5322 §2.2.3 unfolding as Pigeonhole does it: each line break is removed and a TAB that starts
    /// a continuation line becomes a space (other white space stays); the value is trimmed of WSP.
    static func unfold(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var afterBreak = false
        for i in range {
            let b = bytes[i]
            if b == 0x0D || b == 0x0A {
                afterBreak = true
                continue
            }
            out.append(afterBreak && b == 0x09 ? 0x20 : b)
            afterBreak = false
        }
        let isWSP = { (c: UInt8) in c == 0x20 || c == 0x09 }
        guard let first = out.firstIndex(where: { !isWSP($0) }), let last = out.lastIndex(where: { !isWSP($0) }) else {
            return []
        }
        return Array(out[first...last])
    }

    /// Every `name` field (any case), unfolded but not decoded.
    func values(_ name: String) -> [[UInt8]] { fields[name.lowercased()] ?? [] }
}

/// The SMTP/LMTP envelope (RFC 5228 §5.4): the reverse path (empty for `<>`) and the recipient.
public struct SieveEnvelope: Sendable {
    public var from: String
    public var to: String
    public var auth: String?

    public init(from: String, to: String, auth: String? = nil) {
        self.from = from
        self.to = to
        self.auth = auth
    }
}

/// How spamtest/virustest read their header (RFC 5235 §3; the settings Pigeonhole calls
/// sieve_spamtest_status_type and friends).
public struct SieveTestHeaderSettings: Sendable, Equatable {
    public enum Kind: String, Sendable { case score, strlen, text }
    /// The header that holds the status.
    public var header: String
    public var kind: Kind
    /// For `score`: the value that means certainly spam (or infected); for `strlen`: the length that does.
    public var maxValue: Double

    public init(header: String, kind: Kind, maxValue: Double) {
        self.header = header
        self.kind = kind
        self.maxValue = maxValue
    }
}

/// Everything a script may learn beyond the message and envelope, injected so the module stays pure.
public struct SieveEnvironment: Sendable {
    /// The time the script runs at (currentdate, RFC 5260 §5), seconds since 1970.
    public var now: Double
    /// The local zone offset in minutes east of UTC (the default for `:zone`).
    public var localZoneMinutes: Int
    public var mailboxExists: @Sendable (String) -> Bool
    public var mailboxIDExists: @Sendable (String) -> Bool
    /// Whether a duplicate-tracking id was seen before (RFC 7352 §3); the delivery layer records ids.
    public var seen: @Sendable (String) -> Bool
    public var spamtest: SieveTestHeaderSettings?
    public var virustest: SieveTestHeaderSettings?
    /// The user's own addresses (RFC 5230 §4.5) besides the envelope recipient.
    public var userAddresses: [String]
    /// Values of the environment extension (RFC 5183 §4): "domain", "host", "name", "version", ...
    public var items: [String: String]
    /// The value of an annotation (RFC 5464) of a mailbox, or of the server when the mailbox is nil, for
    /// the metadata tests (RFC 5490 §3.3-§4.2); nil when it is not set. Postern keeps no annotations, so
    /// by default none is set.
    public var metadata: @Sendable (_ mailbox: String?, _ name: String) -> String?

    public init(
        now: Double = 0, localZoneMinutes: Int = 0,
        mailboxExists: @escaping @Sendable (String) -> Bool = { _ in false },
        mailboxIDExists: @escaping @Sendable (String) -> Bool = { _ in false },
        seen: @escaping @Sendable (String) -> Bool = { _ in false }, spamtest: SieveTestHeaderSettings? = nil,
        virustest: SieveTestHeaderSettings? = nil, userAddresses: [String] = [], items: [String: String] = [:],
        metadata: @escaping @Sendable (_ mailbox: String?, _ name: String) -> String? = { _, _ in nil }
    ) {
        self.now = now
        self.localZoneMinutes = localZoneMinutes
        self.mailboxExists = mailboxExists
        self.mailboxIDExists = mailboxIDExists
        self.seen = seen
        self.spamtest = spamtest
        self.virustest = virustest
        self.userAddresses = userAddresses
        self.items = items
        self.metadata = metadata
    }
}
