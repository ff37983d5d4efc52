/// A vacation response (RFC 5230 §4) as the script asked for it.
public struct SieveVacation: Sendable, Equatable {
    /// Who the reply goes to: the envelope sender.
    public var recipient: String
    public var from: String?
    public var subject: String?
    public var reason: String
    public var mime: Bool
    /// The handle keying the response-tracking database (RFC 5230 §4.2); Pigeonhole's default is
    /// reason + subject (or "<default-subject>") + from (or "<default-from>") + "<MIME>"/"<NO-MIME>".
    public var handle: String
    /// The minimum time between two replies to one sender.
    public var seconds: UInt64
    public var addresses: [String]

    public init(
        recipient: String, from: String?, subject: String?, reason: String, mime: Bool, handle: String,
        seconds: UInt64, addresses: [String]
    ) {
        self.recipient = recipient
        self.from = from
        self.subject = subject
        self.reason = reason
        self.mime = mime
        self.handle = handle
        self.seconds = seconds
        self.addresses = addresses
    }
}

/// One explicit action of RFC 5228 §4 and the extensions.
public enum SieveAction: Sendable, Equatable {
    /// keep (mailbox "INBOX") and fileinto; `copy` (RFC 3894) when it left the implicit keep alone.
    case store(mailbox: String, flags: [String], create: Bool, mailboxID: String?, copy: Bool)
    case redirect(address: String, copy: Bool)
    case reject(reason: String, extended: Bool)
    case discard
    case vacation(SieveVacation)
    /// The duplicate test's id (RFC 7352 §3), to be recorded for `seconds` once delivery succeeds;
    /// `handle` is the test's :handle. Not part of the canonical JSON.
    case trackDuplicate(id: String, handle: String?, seconds: UInt64)
}

/// The implicit keep (RFC 5228 §2.10.2) and the flags it stores with (RFC 5232 §3).
public struct SieveKeep: Sendable, Equatable {
    public var flags: [String]

    public init(flags: [String]) { self.flags = flags }
}

/// What running a script gave.
public struct SieveResult: Sendable {
    /// The explicit actions, in the order they are performed, merged as Pigeonhole merges them.
    public var actions: [SieveAction] = []
    /// nil when cancelled.
    public var implicitKeep: SieveKeep? = SieveKeep(flags: [])
    /// Set when the script failed while running; the delivery layer then keeps the message.
    public var runtimeError: String?
    public var warnings: [String] = []

    public init() {}
}
