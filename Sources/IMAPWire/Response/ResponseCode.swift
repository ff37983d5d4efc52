import NIOCore

/// resp-text-code (RFC 9051 §7.1, RFC 5530, RFC 7889, RFC 4315 UIDPLUS, RFC 7162 CONDSTORE/QRESYNC)
public enum ResponseCode: Sendable, Hashable {
    case alert
    case badCharset([String])
    case capability([String])
    case parse
    /// `allowsNewKeywords` writes `\*`.
    case permanentFlags([Flag], allowsNewKeywords: Bool)
    case readOnly, readWrite, tryCreate
    case uidNext(UInt32), uidValidity(UInt32), unseen(UInt32)
    case unavailable, authenticationFailed, authorizationFailed, expired, privacyRequired, contactAdmin
    case noPerm, inUse, expungeIssued, corruption, serverBug, clientBug, cannot, limit, overQuota
    case alreadyExists, nonExistent
    case tooBig
    /// APPENDUID uidvalidity append-uid
    case appendUID(uidValidity: UInt32, uids: SequenceSet)
    /// COPYUID uidvalidity source-uid-set dest-uid-set
    case copyUID(uidValidity: UInt32, source: SequenceSet, destination: SequenceSet)
    case highestModSeq(UInt64)
    case noModSeq
    case modified(SequenceSet)
    case closed
    case uidNotSticky
    /// COMPRESSIONACTIVE (RFC 4978 §3): compression is already on.
    case compressionActive
    /// MAILBOXID "(" objectid ")" (RFC 8474 §4.1)
    case mailboxID(String)
    /// UIDREQUIRED (RFC 9586 §3.2): a command used message sequence numbers after ENABLE UIDONLY.
    case uidRequired
    /// METADATA ... (RFC 5464 §4.2.1, §4.3)
    case metadata(MetadataResponseCode)
    /// Any other code: atom [SP text].
    case other(String, String?)
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes the code without its brackets.
    @discardableResult
    public mutating func writeResponseCode(_ code: ResponseCode) -> Int {
        switch code {
        case .alert: return writeString("ALERT")
        case .badCharset(let sets):
            guard !sets.isEmpty else { return writeString("BADCHARSET") }
            var n = writeString("BADCHARSET (")
            for (i, s) in sets.enumerated() {
                if i > 0 { n += writeString(" ") }
                n += writeIMAPAtomOrString(s)
            }
            return n + writeString(")")
        case .capability(let caps): return writeString((["CAPABILITY"] + caps).joined(separator: " "))
        case .parse: return writeString("PARSE")
        case .permanentFlags(let flags, let allowsNew):
            let items = flags.map(\.wireValue) + (allowsNew ? ["\\*"] : [])
            return writeString("PERMANENTFLAGS (" + items.joined(separator: " ") + ")")
        case .readOnly: return writeString("READ-ONLY")
        case .readWrite: return writeString("READ-WRITE")
        case .tryCreate: return writeString("TRYCREATE")
        case .uidNext(let n): return writeString("UIDNEXT \(n)")
        case .uidValidity(let n): return writeString("UIDVALIDITY \(n)")
        case .unseen(let n): return writeString("UNSEEN \(n)")
        case .unavailable: return writeString("UNAVAILABLE")
        case .authenticationFailed: return writeString("AUTHENTICATIONFAILED")
        case .authorizationFailed: return writeString("AUTHORIZATIONFAILED")
        case .expired: return writeString("EXPIRED")
        case .privacyRequired: return writeString("PRIVACYREQUIRED")
        case .contactAdmin: return writeString("CONTACTADMIN")
        case .noPerm: return writeString("NOPERM")
        case .inUse: return writeString("INUSE")
        case .expungeIssued: return writeString("EXPUNGEISSUED")
        case .corruption: return writeString("CORRUPTION")
        case .serverBug: return writeString("SERVERBUG")
        case .clientBug: return writeString("CLIENTBUG")
        case .cannot: return writeString("CANNOT")
        case .limit: return writeString("LIMIT")
        case .overQuota: return writeString("OVERQUOTA")
        case .alreadyExists: return writeString("ALREADYEXISTS")
        case .nonExistent: return writeString("NONEXISTENT")
        case .tooBig: return writeString("TOOBIG")
        case .appendUID(let validity, let uids):
            return writeString("APPENDUID \(validity) ") + writeSequenceSet(uids)
        case .copyUID(let validity, let source, let destination):
            return writeString("COPYUID \(validity) ") + writeSequenceSet(source) + writeString(" ")
                + writeSequenceSet(destination)
        case .highestModSeq(let v): return writeString("HIGHESTMODSEQ \(v)")
        case .noModSeq: return writeString("NOMODSEQ")
        case .modified(let set): return writeString("MODIFIED ") + writeSequenceSet(set)
        case .closed: return writeString("CLOSED")
        case .uidNotSticky: return writeString("UIDNOTSTICKY")
        case .compressionActive: return writeString("COMPRESSIONACTIVE")
        case .mailboxID(let id): return writeString("MAILBOXID (\(id))")
        case .uidRequired: return writeString("UIDREQUIRED")
        case .metadata(let metadata): return writeMetadataCode(metadata)
        case .other(let name, let text):
            return writeString(name) + (text.map { writeString(" " + ResponseText.sanitized($0, forCode: true)) } ?? 0)
        }
    }
}
