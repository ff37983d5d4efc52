import Foundation
import Synchronization

/// Messages expunged while a session may still show them (RFC 2180 §4.1.1): a session learns of an
/// expunge only at points where it may report it (RFC 9051 §7.5.1), and until then the message keeps
/// its sequence number there, so a FETCH of it must still succeed. The engine keeps each expunged
/// message's metadata and content here for as long as some session that has its mailbox selected may
/// not have been told of the expunge.
///
/// A session registers a `Viewer` before it reads the mailbox (SELECT, EXAMINE) and says, each time it
/// has reported every expunge it knows of, up to which MODSEQ it has been told (`Viewer.told`). An
/// engine calls `retain` in the transaction that expunges (before the commit, so that no reader can
/// find the message gone and not retained), and `deferUnlink` after the commit with the content files
/// the commit freed: a file some retained message still needs is unlinked when the last such message
/// is let go. A message is let go once every viewer of its mailbox was told past its expunge, when its
/// mailbox has no viewer, or when more than `maxPerMailbox` are kept for its mailbox (oldest first;
/// then a FETCH of it fails as before, with NO [EXPUNGEISSUED]). A crash loses nothing: a content file
/// no row references is removed when the store opens.
public final class ExpungeRetention: Sendable {
    /// Expunged messages kept per mailbox at most.
    public static let maxPerMailbox = 10_000

    /// A retained message: its metadata as it was when expunged, and a way to open its content.
    public struct Message: Sendable {
        public var meta: MessageMeta
        public var open: @Sendable () -> MessageContent?

        public init(meta: MessageMeta, open: @escaping @Sendable () -> MessageContent?) {
            self.meta = meta
            self.open = open
        }
    }

    struct Key: Hashable {
        var account: AccountID
        var mailbox: MailboxID
    }

    private struct Ghost {
        var message: Message
        /// The expunge's MODSEQ (its tombstone's).
        var modSeq: ModSeq
        var blob: String?
    }

    private struct Entry {
        var viewers: [UInt64: ModSeq] = [:]
        var ghosts: [UID: Ghost] = [:]
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Retained messages per content file, and what unlinks a freed file once none is left.
        var blobHolders: [String: Int] = [:]
        var pendingUnlinks: [String: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())
    private let nextID = Atomic<UInt64>(0)
    private let limit: Int

    public init(maxPerMailbox: Int = ExpungeRetention.maxPerMailbox) {
        limit = maxPerMailbox
    }

    /// A session's registration on a mailbox; it ends with `close()` or when the viewer is released.
    public final class Viewer: Sendable {
        private let retention: ExpungeRetention
        private let key: Key
        private let id: UInt64

        fileprivate init(retention: ExpungeRetention, key: Key, id: UInt64) {
            self.retention = retention
            self.key = key
            self.id = id
        }

        /// The session has reported every expunge up to `modSeq`.
        public func told(through modSeq: ModSeq) {
            retention.update(key) { entry in
                if let known = entry.viewers[id] { entry.viewers[id] = max(known, modSeq) }
            }
        }

        deinit {
            retention.update(key) { entry in entry.viewers[id] = nil }
        }
    }

    /// Registers a session on a mailbox before it reads it: until `told`, every expunge is kept for it.
    public func view(account: AccountID, mailbox: MailboxID) -> Viewer {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let key = Key(account: account, mailbox: mailbox)
        state.withLock { $0.entries[key, default: Entry()].viewers[id] = 0 }
        return Viewer(retention: self, key: key, id: id)
    }

    /// Whether some viewer of the mailbox may not have been told of an expunge with `modSeq`.
    public func wanted(account: AccountID, mailbox: MailboxID, modSeq: ModSeq) -> Bool {
        state.withLock { state in
            state.entries[Key(account: account, mailbox: mailbox)]?.viewers.values.contains { $0 < modSeq } ?? false
        }
    }

    /// Keeps messages an expunge (or a MOVE out) with `modSeq` removes from the mailbox, for its viewers.
    /// `blob` names the content file an engine may later free (`deferUnlink`).
    public func retain(
        account: AccountID, mailbox: MailboxID, modSeq: ModSeq,
        _ messages: [(message: Message, blob: String?)]
    ) {
        let key = Key(account: account, mailbox: mailbox)
        let dropped = state.withLock { state -> [String: @Sendable () -> Void] in
            guard var entry = state.entries[key], entry.viewers.values.contains(where: { $0 < modSeq }) else {
                return [:]
            }
            var unlinks: [String: @Sendable () -> Void] = [:]
            for (message, blob) in messages {
                if let old = entry.ghosts[message.meta.uid] {
                    unlinks.merge(Self.release(old, in: &state)) { a, _ in a }
                }
                entry.ghosts[message.meta.uid] = Ghost(message: message, modSeq: modSeq, blob: blob)
                if let blob { state.blobHolders[blob, default: 0] += 1 }
            }
            if entry.ghosts.count > limit {
                let oldest = entry.ghosts.values.sorted {
                    ($0.modSeq, $0.message.meta.uid) < ($1.modSeq, $1.message.meta.uid)
                }
                for ghost in oldest.prefix(entry.ghosts.count - limit) {
                    entry.ghosts[ghost.message.meta.uid] = nil
                    unlinks.merge(Self.release(ghost, in: &state)) { a, _ in a }
                }
            }
            state.entries[key] = entry
            return unlinks
        }
        for unlink in dropped.values { unlink() }
    }

    /// The content files a commit freed: those no retained message needs are returned (to unlink
    /// now); the others are unlinked by `unlink` once the last message that needs them is let go.
    public func deferUnlink(_ blobs: [String], unlink: @escaping @Sendable (String) -> Void) -> [String] {
        state.withLock { state in
            blobs.filter { blob in
                guard state.blobHolders[blob, default: 0] > 0 else { return true }
                state.pendingUnlinks[blob] = { unlink(blob) }
                return false
            }
        }
    }

    /// A retained message of the mailbox; nil when none is kept.
    public func message(account: AccountID, mailbox: MailboxID, uid: UID) -> Message? {
        state.withLock { $0.entries[Key(account: account, mailbox: mailbox)]?.ghosts[uid]?.message }
    }

    /// How many messages are kept for the mailbox.
    public func count(account: AccountID, mailbox: MailboxID) -> Int {
        state.withLock { $0.entries[Key(account: account, mailbox: mailbox)]?.ghosts.count ?? 0 }
    }

    /// Changes a mailbox's entry, then lets go of what no viewer needs any more (outside the lock).
    private func update(_ key: Key, _ change: (inout Entry) -> Void) {
        let unlinks = state.withLock { state -> [String: @Sendable () -> Void] in
            guard var entry = state.entries[key] else { return [:] }
            change(&entry)
            var unlinks: [String: @Sendable () -> Void] = [:]
            let floor = entry.viewers.values.min() ?? .max
            for ghost in entry.ghosts.values where ghost.modSeq <= floor {
                entry.ghosts[ghost.message.meta.uid] = nil
                unlinks.merge(Self.release(ghost, in: &state)) { a, _ in a }
            }
            state.entries[key] = entry.viewers.isEmpty && entry.ghosts.isEmpty ? nil : entry
            return unlinks
        }
        for unlink in unlinks.values { unlink() }
    }

    /// Drops one holder of the ghost's content file; returns the file's unlink when it was the last.
    private static func release(_ ghost: Ghost, in state: inout State) -> [String: @Sendable () -> Void] {
        guard let blob = ghost.blob, let holders = state.blobHolders[blob] else { return [:] }
        if holders > 1 {
            state.blobHolders[blob] = holders - 1
            return [:]
        }
        state.blobHolders[blob] = nil
        guard let unlink = state.pendingUnlinks.removeValue(forKey: blob) else { return [:] }
        return [blob: unlink]
    }
}
