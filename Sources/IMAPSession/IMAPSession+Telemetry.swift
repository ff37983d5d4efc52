import IMAPWire
import Logging
import NIOCore
import Telemetry

/// A command's metrics and its debug log line: counted when its tagged response is written, with
/// the time since it was read.
extension IMAPSession {
    /// The command whose tagged response is awaited, and when it was read.
    struct RunningCommand {
        var name: IMAPCommandName
        var start: UInt64
    }

    func beginCommand(_ name: IMAPCommandName) {
        running = RunningCommand(name: name, start: NIODeadline.now().uptimeNanoseconds)
    }

    /// Called for every tagged response (`tagged(_:_:code:text:)`).
    func endCommand(_ status: ResponseStatus) {
        guard let command = running else { return }
        running = nil
        let outcome: Telemetry.Outcome =
            switch status {
            case .ok, .preauth: .ok
            case .no, .bye: .no
            case .bad: .bad
            }
        let elapsed = NIODeadline.now().uptimeNanoseconds &- command.start
        Telemetry.imapCommand(command.name, outcome, nanoseconds: Int64(truncatingIfNeeded: elapsed))
        logger.debug(
            "command",
            metadata: [
                "command": "\(command.name.rawValue)", "duration_ms": "\(Double(elapsed / 1000) / 1000)",
                "result": "\(outcome.rawValue)",
            ])
    }

    /// The metric name of a parsed command (RFC 9051 §6 and the extensions' commands).
    static func commandName(_ command: Command) -> IMAPCommandName {
        switch command {
        case .capability: .capability
        case .noop: .noop
        case .logout: .logout
        case .id: .id
        case .starttls: .starttls
        case .login: .login
        case .authenticate: .authenticate
        case .enable: .enable
        case .select: .select
        case .examine: .examine
        case .create: .create
        case .delete: .delete
        case .rename: .rename
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .list: .list
        case .lsub: .lsub
        case .namespace: .namespace
        case .status: .status
        case .idle: .idle
        case .unauthenticate: .unauthenticate
        case .getQuota: .getQuota
        case .getQuotaRoot: .getQuotaRoot
        case .setQuota: .setQuota
        case .check: .check
        case .close: .close
        case .unselect: .unselect
        case .expunge: .expunge
        case .uidExpunge: .uidExpunge
        case .search(let search): search.uid ? .uidSearch : .search
        case .sort(let sort): sort.uid ? .uidSort : .sort
        case .thread(let thread): thread.uid ? .uidThread : .thread
        case .fetch(_, _, _, let uid): uid ? .uidFetch : .fetch
        case .store(_, _, _, let uid): uid ? .uidStore : .store
        case .copy(_, _, let uid): uid ? .uidCopy : .copy
        case .move(_, _, let uid): uid ? .uidMove : .move
        case .compress: .compress
        case .getMetadata: .getMetadata
        case .setMetadata: .setMetadata
        }
    }
}
