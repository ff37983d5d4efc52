import Dispatch
import Foundation
import GRDB
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which process opens the store: the server, whose sessions must see every change, or a tool (`postern
/// deliver`, `import`, `user`), whose changes a running server must learn about.
public enum StoreRole: Sendable {
    case server
    case tool
}

/// Changes that other processes make to mailboxes reach a running server's sessions.
///
/// A tool's store writes the mailboxes each commit changed into `change_log`, inside that commit's
/// transaction; once committed, it pokes the server through a Unix socket in the data folder
/// (`changes.sock`, mode 0600) and waits (briefly) for its answer. The server, on a poke and once a
/// second anyway, reads the log past the last entry it saw and publishes those mailboxes
/// (`ChangeHub.publish`), which also makes its caches of them stale. So when `postern deliver`
/// returns, a session idling on the mailbox has been told. The log keeps the last `retained` entries;
/// a server that fell further behind publishes every mailbox some session watches and drops its
/// flag cache.
enum ChangeAnnouncements {
    static let socketName = "changes.sock"
    static let retained: Int64 = 10_000
    /// How long a tool waits for the server's answer to a poke.
    static let pokeTimeout = timeval(tv_sec: 2, tv_usec: 0)

    /// Inside a tool's write transaction: logs the changed mailboxes.
    static func record(_ db: Database, _ mailboxes: Set<MailboxID>) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO change_log (mailbox_id) VALUES (?)")
        for mailbox in mailboxes { try insert.execute(arguments: [mailbox]) }
        try db.cachedStatement(sql: "DELETE FROM change_log WHERE seq <= last_insert_rowid() - ?")
            .execute(arguments: [retained])
    }

    static func socketPath(_ dataDirectory: URL) -> String {
        dataDirectory.appendingPathComponent(socketName).path
    }

    /// Tells a server on this data folder to read the log now; returns once it answered, it is not
    /// there, or the timeout passed.
    static func poke(_ path: String) {
        guard let fd = UnixSocket.connect(path, timeout: pokeTimeout) else { return }
        defer { close(fd) }
        var byte: UInt8 = UInt8(ascii: "c")
        guard send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
        _ = recv(fd, &byte, 1, 0)
    }
}

/// The server's end of the poke socket: answers each connection once `check` has run.
final class ChangePokeListener: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let queue = DispatchQueue(label: "postern.change-pokes")
    private let source: DispatchSourceRead

    /// nil when the socket cannot be made (a path too long, a read-only folder): the once-a-second
    /// check still runs.
    init?(path: String, check: @escaping @Sendable () -> Void) {
        guard var address = UnixSocket.address(path) else { return nil }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        let previous = umask(0o077)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        umask(previous)
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            return nil
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.fd = fd
        self.path = path
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler {
            while case let client = accept(fd, nil, nil), client >= 0 {
                var timeout = ChangeAnnouncements.pokeTimeout
                setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var byte: UInt8 = 0
                if recv(client, &byte, 1, 0) == 1 {
                    check()
                    _ = send(client, &byte, 1, Int32(MSG_NOSIGNAL))
                }
                close(client)
            }
        }
        source.resume()
    }

    func stop() {
        source.cancel()
        queue.sync {}
        close(fd)
        unlink(path)
    }
}

extension SQLiteMailStore {
    static func changeLogEnd(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM change_log")) ?? 0
    }

    /// Server side: publishes the mailboxes other processes changed since `seen`; returns the new end.
    func publishLoggedChanges(seen: Int64) -> Int64 {
        do {
            let end = try pointRead("change log") { db in try Self.changeLogEnd(db) }
            guard end > seen else { return seen }
            let (first, mailboxes) = try inlinePool.read { db in
                (
                    try Int64.fetchOne(db, sql: "SELECT coalesce(min(seq), 0) FROM change_log") ?? 0,
                    try Set(
                        MailboxID.fetchAll(
                            db, sql: "SELECT DISTINCT mailbox_id FROM change_log WHERE seq > ? AND seq <= ?",
                            arguments: [seen, end]))
                )
            }
            var changed = mailboxes
            if first > seen + 1 {
                // Entries this server never saw are gone: every mailbox may have changed.
                flagIndexCache.removeAll()
                changed.formUnion(changeHub.watchedMailboxes)
            }
            contentLocations.forget(changed, unlinked: [])
            for mailbox in changed { changeHub.publish(mailbox: mailbox) }
            return end
        } catch {
            return seen
        }
    }
}
