/// An address as the IMAP ENVELOPE shows it (RFC 9051 §7.5.2): personal name, source route (adl),
/// mailbox (local part) and host. Values are the raw header bytes: encoded words stay encoded.
///
/// A group (RFC 5322 §3.4) is a start marker with `mailbox` = the group name and `host` = nil, its
/// members, then an end marker with all four fields nil.
public struct EnvelopeAddress: Sendable, Hashable {
    public var name: [UInt8]?
    public var adl: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]? = nil, adl: [UInt8]? = nil, mailbox: [UInt8]? = nil, host: [UInt8]? = nil) {
        self.name = name
        self.adl = adl
        self.mailbox = mailbox
        self.host = host
    }

    public var isGroupStart: Bool { host == nil && mailbox != nil }
    public var isGroupEnd: Bool { name == nil && adl == nil && mailbox == nil && host == nil }

    /// What a broken address lacks is filled in with these, as Dovecot does.
    public static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    public static let missingDomain = Array("MISSING_DOMAIN".utf8)
    /// The host of an angle address that does not parse (`Name <a b@c>`).
    public static let syntaxError = Array("SYNTAX_ERROR".utf8)
}

/// Parses address lists (RFC 5322 §3.4 with the obsolete forms of §4.4: routes, phrases with dots, CFWS
/// around dots). Never fails: a broken address is kept as well as possible and split and filled in as Dovecot
/// does (``AddressListParser``), with ``EnvelopeAddress/missingMailbox`` or ``EnvelopeAddress/missingDomain``
/// for what it lacks. A comment in a bare addr-spec (`a@b (Name)`) gives the name.
public enum AddressParser {
    public static func parse(_ value: [UInt8]) -> [EnvelopeAddress] {
        var parser = AddressListParser(value, limit: MIMELimits.maxAddresses)
        return parser.addressList()
    }
}
