import IMAPWire

/// The extensions a client turned on for its session. They change only here: by ENABLE (RFC 5161
/// §3.1, RFC 9051 §6.3.1), and CONDSTORE also by the commands that use it (RFC 7162 §3.1).
struct SessionExtensions {
    /// CONDSTORE (RFC 7162 §3.1): MODSEQ in every unsolicited FETCH from now on.
    private(set) var condstore = false
    /// QRESYNC (RFC 7162 §3.2): VANISHED instead of EXPUNGE, SELECT with QRESYNC.
    private(set) var qresync = false
    /// IMAP4rev2 response rules (RFC 9051); otherwise IMAP4rev1 (RFC 3501).
    private(set) var rev2 = false
    /// UTF8=ACCEPT (RFC 6855): mailbox names and strings go out as UTF-8.
    private(set) var utf8 = false
    /// UIDONLY (RFC 9586): messages by UID only, UIDFETCH responses, VANISHED.
    private(set) var uidOnly = false

    /// Expunges go out as VANISHED (QRESYNC, RFC 7162 §3.2.10; UIDONLY, RFC 9586 §3.4).
    var reportsVanished: Bool { qresync || uidOnly }

    /// Mailbox names go out as UTF-8 rather than modified UTF-7 (IMAP4rev2 or UTF8=ACCEPT).
    var utf8MailboxNames: Bool { rev2 || utf8 }

    /// ENABLE: turns on the named extensions and returns, in the form `* ENABLED` lists them, those this
    /// call newly turned on; unknown names are ignored (RFC 5161 §3.1).
    mutating func enable(_ names: [String], rev2Offered: Bool) -> [String] {
        var enabled: [String] = []
        for name in names {
            switch name.uppercased() {
            case "CONDSTORE" where !condstore:
                condstore = true
                enabled.append("CONDSTORE")
            case "IMAP4REV2" where !rev2 && rev2Offered:
                rev2 = true
                enabled.append("IMAP4rev2")
            case "UTF8=ACCEPT" where !utf8:
                utf8 = true
                enabled.append("UTF8=ACCEPT")
            case "UIDONLY" where !uidOnly:
                uidOnly = true
                enabled.append("UIDONLY")
            case "QRESYNC" where !qresync:
                // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
                qresync = true
                condstore = true
                enabled.append("QRESYNC")
            default:
                break
            }
        }
        return enabled
    }

    /// Called before a command runs: a CONDSTORE-enabling command (RFC 7162 §3.1) turns CONDSTORE on.
    mutating func noteCommand(_ command: Command) {
        if !condstore && Self.enablesCondstore(command) { condstore = true }
    }

    /// The CONDSTORE-enabling commands of RFC 7162 §3.1: SELECT/EXAMINE (CONDSTORE), STATUS
    /// (HIGHESTMODSEQ) also as a LIST-STATUS return option, FETCH of MODSEQ or with CHANGEDSINCE,
    /// SEARCH with MODSEQ, STORE with UNCHANGEDSINCE (ENABLE is handled by `enable`).
    static func enablesCondstore(_ command: Command) -> Bool {
        switch command {
        case .select(_, let parameters), .examine(_, let parameters):
            return parameters.contains { if case .condstore = $0 { true } else { false } }
        case .status(_, let attributes):
            return attributes.contains(.highestModSeq)
        case .list(let list):
            return list.returnOptions.contains {
                if case .status(let attributes) = $0 { attributes.contains(.highestModSeq) } else { false }
            }
        case .fetch(_, let attributes, let modifiers, _):
            return attributes.contains(.modSeq)
                || modifiers.contains { if case .changedSince = $0 { true } else { false } }
        case .search(let search):
            return IMAPSession.usesModSeq(search.key)
        case .sort(let sort):
            return IMAPSession.usesModSeq(sort.key)
        case .thread(let thread):
            return IMAPSession.usesModSeq(thread.key)
        case .store(_, _, let unchangedSince, _):
            return unchangedSince != nil
        default:
            return false
        }
    }

    /// UNAUTHENTICATE (RFC 8437 §2): a new login starts with nothing enabled.
    mutating func reset() {
        self = SessionExtensions()
    }
}
