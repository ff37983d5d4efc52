import NIOCore

/// setquota-resource = resource-name SP resource-limit   (RFC 9208 §9)
/// resource-name = "STORAGE" / "MESSAGE" / "MAILBOX" / "ANNOTATION-STORAGE" / resource-name-ext
/// resource-limit = number64
public struct QuotaResourceLimit: Sendable, Hashable {
    /// Upper-cased (resource names are case-insensitive atoms).
    public var name: String
    public var limit: UInt64

    public init(name: String, limit: UInt64) {
        self.name = name.uppercased()
        self.limit = limit
    }
}

/// quota-resource = resource-name SP resource-usage SP resource-limit   (RFC 9208 §9)
public struct QuotaResource: Sendable, Hashable {
    public var name: String
    public var usage: UInt64
    public var limit: UInt64

    public init(name: String, usage: UInt64, limit: UInt64) {
        self.name = name
        self.usage = usage
        self.limit = limit
    }
}

/// quota-response = "QUOTA" SP quota-root-name SP quota-list   (RFC 9208 §5.1)
public struct QuotaResponse: Sendable, Hashable {
    public var root: String
    public var resources: [QuotaResource]

    public init(root: String, resources: [QuotaResource]) {
        self.root = root
        self.resources = resources
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// quota-root-name = astring; an empty name is written `""`.
    @discardableResult
    public mutating func writeQuotaRoot(_ root: String) -> Int {
        writeIMAPAtomOrString(root)
    }

    /// setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
    @discardableResult
    public mutating func writeQuotaLimits(_ limits: [QuotaResourceLimit]) -> Int {
        writeString("(" + limits.map { "\($0.name) \($0.limit)" }.joined(separator: " ") + ")")
    }
}
