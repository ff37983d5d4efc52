import MailStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The content files of recently opened messages, and the few most recently opened files themselves,
/// so that opening a message again needs neither a database read nor a path lookup.
///
/// What it buys (`Benchmarks/run.sh bigmailbox`, time to the first byte of a large message): a client
/// downloads a large message in pieces (`BODY.PEEK[]<0.65536>`, then the next range, ...; Thunderbird
/// and phones do), and each piece opens the message again. Without this, each open pays a database
/// read to find the file (a reader checkout and GRDB's schema check before the query) and an `open` +
/// `fstat`, all cold after the previous piece's megabytes went through the caches; that was most of
/// the server's time to a piece's first byte. A held file is handed out as a `dup`; `MessageContent`
/// reads positionally, so the copies do not share an offset.
///
/// Correctness: a message's content never changes, but a mailbox's `(id, uid)` can name another
/// message after its mailbox was deleted into a placeholder and created again (UIDs restart at 1).
/// So every commit that changes a mailbox forgets that mailbox's entries (`forget`, called after the
/// commit and before sessions are told), and an entry is only kept when no commit was forgotten
/// between the lookup or database read that found it and `remember` (`epoch`): a read that saw the
/// state before a commit cannot leave an entry behind after it. A mapped file that is gone (expunged,
/// its content unlinked) fails to open, and the caller falls back to the database. Held files whose
/// content a commit unlinked are closed by `forget`, so they do not keep disk space.
final class ContentLocations: Sendable {
    struct Key: Hashable {
        var account: AccountID
        var mailbox: MailboxID
    }

    private struct HeldFile {
        var fd: Int32
        var size: Int
        var lastUse: UInt64
    }

    private struct State {
        var mailboxes: [Key: [UID: String]] = [:]
        var count = 0
        var files: [String: HeldFile] = [:]
        var clock: UInt64 = 0
        var epoch: UInt64 = 0
    }

    /// What `lookup` found: the epoch to pass to `remember`, the message's content file if known, and
    /// the content itself (a `dup` of the held file) if that file is held.
    struct Found {
        var epoch: UInt64
        var blob: String?
        var content: MessageContent?
    }

    private let state = Mutex(State())
    /// Messages whose file is remembered; past it, all are dropped (cheap, and the next opens fill it).
    let limit: Int
    /// Files held open (the most recently opened).
    let fileLimit: Int

    init(limit: Int = 4096, fileLimit: Int = 8) {
        self.limit = limit
        self.fileLimit = fileLimit
    }

    deinit {
        state.withLock { state in
            for file in state.files.values { close(file.fd) }
        }
    }

    func lookup(account: AccountID, mailbox: MailboxID, uid: UID) -> Found {
        state.withLock { state in
            var found = Found(epoch: state.epoch)
            guard let blob = state.mailboxes[Key(account: account, mailbox: mailbox)]?[uid] else { return found }
            found.blob = blob
            if var file = state.files[blob] {
                let copy = dup(file.fd)
                if copy >= 0 {
                    state.clock &+= 1
                    file.lastUse = state.clock
                    state.files[blob] = file
                    found.content = MessageContent(fileDescriptor: copy, size: file.size)
                }
            }
            return found
        }
    }

    /// Remembers that the message's content is `blob`, and holds `fd` (a descriptor the caller gives
    /// up) as that file, unless a commit was forgotten since `epoch` was read (then `fd` is closed).
    func remember(
        account: AccountID, mailbox: MailboxID, uid: UID, blob: String, file fd: Int32?, size: Int, epoch: UInt64
    ) {
        let unused: [Int32] = state.withLock { state in
            guard state.epoch == epoch else { return fd.map { [$0] } ?? [] }
            if state.count >= limit {
                state.mailboxes.removeAll()
                state.count = 0
            }
            let key = Key(account: account, mailbox: mailbox)
            if state.mailboxes[key, default: [:]].updateValue(blob, forKey: uid) == nil { state.count += 1 }
            guard let fd else { return [] }
            var unused: [Int32] = []
            state.clock &+= 1
            if let previous = state.files.updateValue(HeldFile(fd: fd, size: size, lastUse: state.clock), forKey: blob)
            {
                unused.append(previous.fd)
            }
            if state.files.count > fileLimit,
                let oldest = state.files.min(by: { $0.value.lastUse < $1.value.lastUse })
            {
                state.files.removeValue(forKey: oldest.key)
                unused.append(oldest.value.fd)
            }
            return unused
        }
        for fd in unused { close(fd) }
    }

    /// After a commit: drops the entries of the mailboxes it changed, and closes held files of the
    /// content it unlinked.
    func forget(_ mailboxes: Set<MailboxID>, unlinked: [String]) {
        guard !mailboxes.isEmpty || !unlinked.isEmpty else { return }
        let closing: [Int32] = state.withLock { state in
            state.epoch &+= 1
            for key in state.mailboxes.keys where mailboxes.contains(key.mailbox) {
                state.count -= state.mailboxes.removeValue(forKey: key)?.count ?? 0
            }
            return unlinked.compactMap { state.files.removeValue(forKey: $0)?.fd }
        }
        for fd in closing { close(fd) }
    }

    /// (messages remembered, files held), for tests.
    var counts: (messages: Int, files: Int) {
        state.withLock { ($0.count, $0.files.count) }
    }
}
