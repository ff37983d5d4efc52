import IMAPSession
import PosternAdminAPI

/// The live IMAP sessions for the admin API: listed from the open connections, ended the way a
/// shutdown ends them (BYE once the command in progress is answered, at once when idle).
extension IMAPServer: SessionDirectory {
    public func liveSessions() -> [LiveSession] {
        let connections = state.withLockedValue { Array($0.connections.values) }
        return connections.map { connection in
            LiveSession(
                id: connection.session, user: connection.activity.user, address: connection.address,
                listener: connection.kind.rawValue, since: connection.since,
                mailboxSelected: connection.activity.mailboxSelected)
        }
        .sorted { $0.id < $1.id }
    }

    public func disconnect(session id: UInt64) -> Bool {
        let found = state.withLockedValue { state in state.connections.values.first { $0.session == id } }
        found?.inputs.yield(.disconnect)
        return found != nil
    }

    public func disconnect(account: String) -> Int {
        let name = account.lowercased()
        let found = state.withLockedValue { state in
            state.connections.values.filter { $0.activity.user?.lowercased() == name }
        }
        for connection in found { connection.inputs.yield(.disconnect) }
        return found.count
    }
}
