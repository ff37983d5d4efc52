import CoreMetrics

/// The IMAP commands counted by name: every command the server implements, and `other` for the
/// rest (unknown or unparsable commands), so a client cannot create series.
public enum IMAPCommandName: String, CaseIterable, Sendable {
    case capability = "CAPABILITY"
    case noop = "NOOP"
    case logout = "LOGOUT"
    case id = "ID"
    case starttls = "STARTTLS"
    case login = "LOGIN"
    case authenticate = "AUTHENTICATE"
    case enable = "ENABLE"
    case select = "SELECT"
    case examine = "EXAMINE"
    case create = "CREATE"
    case delete = "DELETE"
    case rename = "RENAME"
    case subscribe = "SUBSCRIBE"
    case unsubscribe = "UNSUBSCRIBE"
    case list = "LIST"
    case lsub = "LSUB"
    case namespace = "NAMESPACE"
    case status = "STATUS"
    case append = "APPEND"
    case idle = "IDLE"
    case unauthenticate = "UNAUTHENTICATE"
    case getQuota = "GETQUOTA"
    case getQuotaRoot = "GETQUOTAROOT"
    case setQuota = "SETQUOTA"
    case getMetadata = "GETMETADATA"
    case setMetadata = "SETMETADATA"
    case check = "CHECK"
    case close = "CLOSE"
    case unselect = "UNSELECT"
    case expunge = "EXPUNGE"
    case uidExpunge = "UID EXPUNGE"
    case search = "SEARCH"
    case uidSearch = "UID SEARCH"
    case sort = "SORT"
    case uidSort = "UID SORT"
    case thread = "THREAD"
    case uidThread = "UID THREAD"
    case fetch = "FETCH"
    case uidFetch = "UID FETCH"
    case store = "STORE"
    case uidStore = "UID STORE"
    case copy = "COPY"
    case uidCopy = "UID COPY"
    case move = "MOVE"
    case uidMove = "UID MOVE"
    case compress = "COMPRESS"
    case replace = "REPLACE"
    case uidReplace = "UID REPLACE"
    case other
}

/// A counter per command and outcome and a latency histogram per command, made once.
final class IMAPCommandMetrics: Sendable {
    private let counters: [IMAPCommandName: [Counter]]
    private let timers: [IMAPCommandName: CoreMetrics.Timer]

    init() {
        var counters: [IMAPCommandName: [Counter]] = [:]
        var timers: [IMAPCommandName: CoreMetrics.Timer] = [:]
        for name in IMAPCommandName.allCases {
            counters[name] = Telemetry.Outcome.allCases.map {
                Counter(
                    label: Telemetry.Name.imapCommands,
                    dimensions: [("command", name.rawValue), ("outcome", $0.rawValue)])
            }
            timers[name] = CoreMetrics.Timer(
                label: Telemetry.Name.imapCommandDuration, dimensions: [("command", name.rawValue)])
        }
        self.counters = counters
        self.timers = timers
    }

    func record(_ name: IMAPCommandName, _ outcome: Telemetry.Outcome, nanoseconds: Int64) {
        let index =
            switch outcome {
            case .ok: 0
            case .no: 1
            case .bad: 2
            }
        counters[name]?[index].increment()
        timers[name]?.recordNanoseconds(nanoseconds)
    }
}
