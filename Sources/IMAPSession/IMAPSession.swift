import Foundation
import IMAPWire
import Logging
import MailStore
import NIOCore

/// One client connection's IMAP state machine (RFC 9051 §3: not authenticated → authenticated →
/// selected → logout) and its command handlers.
///
/// Owned by exactly one task: `run(events:)` takes the framer's events one at a time, carries each out
/// and tells the connection how to go on (`ResumeDirective`). It never touches a Channel.
///
/// Concurrency invariants: a handler first commits through the store, then reports; nothing is written
/// to the client while a store call is in progress on this session's behalf; untagged EXPUNGE is only
/// sent where RFC 9051 §7.5.1 allows it (never while answering FETCH, STORE or SEARCH).
public final class IMAPSession {
    let configuration: SessionConfiguration
    let connection: any SessionConnection
    var store: any MailStore { configuration.store }
    var logger: Logger
    var tlsActive: Bool
    /// COMPRESS DEFLATE is on (RFC 4978): for the rest of the connection.
    var compressionActive = false
    /// RFC 9051 §3: not authenticated, authenticated, selected, logged out (see `SessionState`).
    var state = SessionState.notAuthenticated {
        didSet { reportActivity() }
    }
    /// What `SessionConfiguration.onActivity` was last told.
    var reportedActivity = SessionActivity()
    var out = ByteBufferAllocator().buffer(capacity: 1024)
    /// A running AUTHENTICATE waiting for the client's response line.
    var pendingAuthentication: SASLExchange?
    /// The account whose session slot this session holds (`ConnectionLimits.beginSession`).
    var heldAccountSession: UInt64?
    var append: AppendState?
    var failedLogins = 0
    /// A running IDLE (RFC 2177): its tag and the watch that forwards wake-ups.
    var idle: IdleState?
    /// Forwards the deletion of the logged-in account into the inputs (see `watchAccount`).
    var accountWatch: WatchToken?
    var wakeups: AsyncStream<SessionInput>.Continuation?
    /// Extensions the client turned on (see `SessionExtensions`).
    var extensions = SessionExtensions()
    /// IMAP4rev1 \Recent (RFC 3501 §2.3.2): the messages this session was the first to see, per mailbox,
    /// so that selecting or examining the mailbox again in this session reports them as recent still.
    var recentClaims: [MailboxID: UIDSet] = [:]
    /// Set when the selected mailbox disappeared and BYE was sent: the connection closes.
    var mailboxVanished = false
    /// Set when a streamed message literal could not be completed: the connection closes.
    var streamFailed = false
    var badCommandsBeforeLogin = 0
    /// The server is shutting down, or an administrator ended the session: BYE once the APPEND in
    /// progress is answered, with this text.
    var shutdownPending = false
    var shutdownText = "Server shutting down"
    /// The command being answered, for its metrics (`IMAPSession+Telemetry`).
    var running: RunningCommand?

    static let maxFailedLogins = 5
    static let maxBadCommandsBeforeLogin = 10
    /// Output is flushed whenever this much is buffered, so a large FETCH does not sit in memory: a
    /// busy connection holds about this much plaintext here and as much ciphertext in the TLS layer.
    /// Below 64 KB so that neither buffer, nor the TLS records made of it, grows to the next power of
    /// two (buffers grow by doubling): that halves what 100 busy clients hold (`run.sh steady`).
    static let flushThreshold = 48 * 1024

    public init(configuration: SessionConfiguration, connection: any SessionConnection) {
        self.configuration = configuration
        self.connection = connection
        self.logger = configuration.logger
        self.tlsActive = configuration.tlsActive
    }

    /// Greets the client, then handles inputs until the connection ends. `wakeups` feeds the same
    /// stream: IDLE uses it to deliver change notifications and keepalives.
    public func run(inputs: AsyncStream<SessionInput>, wakeups: AsyncStream<SessionInput>.Continuation) async {
        self.wakeups = wakeups
        if let refusal = configuration.refusal {
            bye(refusal)
            await flush()
            connection.resume(.close)
            return
        }
        greet()
        await flush()
        connection.resume(.next)
        loop: for await input in inputs {
            switch input {
            case .framer(let event):
                var directive = await onChildTask { await $0.handle(event) }
                if mailboxVanished { directive = .close }
                if shutdownPending && append == nil && directive != .close {
                    bye(shutdownText)
                    directive = .close
                }
                await flush()
                connection.resume(directive)
                if directive == .close { break loop }
            case .accountRemoved:
                // The account was deleted (`postern user delete`): its sessions end (RFC 9051 §7.1.5).
                bye("This account was deleted")
                await flush()
                connection.resume(.close)
                break loop
            case .shutdown, .disconnect:
                // An APPEND spans several inputs: it is answered first (see `.framer` above).
                shutdownPending = true
                if case .disconnect = input { shutdownText = "Disconnected by the administrator" }
                guard append == nil else { continue }
                bye(shutdownText)
                await flush()
                connection.resume(.close)
                break loop
            case .mailboxChanged, .keepalive:
                // Only an idling session listens; a keepalive also looks at the mailbox, should a
                // wake-up ever have been missed.
                guard idle != nil else { continue }
                await onChildTask { await $0.reportUpdates(allowExpunge: true) }
                if mailboxVanished {
                    await flush()
                    connection.resume(.close)
                    break loop
                }
                if case .keepalive = input { send(.condition(.ok, code: nil, text: "Still here")) }
                await flush()
            }
        }
        stopIdling()
        running = nil
        unwatchAccount()
        endAccountSession()
        append?.abort()
        append = nil
    }

    /// Runs `body` on a child task and waits for it.
    ///
    /// A Swift task keeps the memory its deepest chain of async frames ever needed until the task
    /// ends, and the session's task lives as long as the connection: handling LOGIN, SELECT and IDLE
    /// on it left an idle session holding about 25 kB of frames it no longer used. A child task's
    /// frames go with it, so the session's own task only ever holds the frames of this loop. What it
    /// buys: memory per idle session (`Benchmarks/idle-breakdown.py`, figures in Benchmarks/README.md),
    /// for two hops through the event loop per command.
    private func onChildTask<T: Sendable>(_ body: @escaping @Sendable (IMAPSession) async -> T) async -> T {
        let handover = Handover(session: self)
        async let result = body(handover.session)
        return await result
    }

    /// The session, handed to the child task of `onChildTask`. Unchecked: the session's task waits
    /// for that child, so only one of the two ever touches the session.
    private struct Handover: @unchecked Sendable {
        let session: IMAPSession
    }

    /// From login on, the deletion of the account ends the session (`SessionInput.accountRemoved`).
    func watchAccount(_ account: AccountID) {
        unwatchAccount()
        guard let wakeups else { return }
        accountWatch = store.changeHub.watch(account: account) { wakeups.yield(.accountRemoved) }
    }

    func unwatchAccount() {
        accountWatch?.cancel()
        accountWatch = nil
    }

    /// The greeting (RFC 9051 §7.1.1), built outside the task's async frames (see `sendCounts`).
    private func greet() {
        send(.condition(.ok, code: .capability(capabilities), text: "Postern ready"))
    }

    /// Handles one framer event and says how the connection goes on.
    func handle(_ event: FramerEvent) async -> ResumeDirective {
        switch event {
        case .command(let command):
            return await execute(command)
        case .commandError(let tag, let message):
            return protocolError(tag: tag, message: message)
        case .continuationRequest:
            send(.continuation(.text("Ready for literal data")))
            return .next
        case .fatal(let message):
            bye(message)
            return .close
        case .rawLine(let line):
            if idle != nil { return idleDone(line) }
            return await authenticateResponse(line)
        case .appendStart(let tag, let mailbox):
            return await appendStart(tag: tag, mailbox: mailbox)
        case .replaceStart(let tag, let target, let uid, let mailbox):
            return await replaceStart(tag: tag, target: target, uid: uid, mailbox: mailbox)
        case .appendMessageBegin(let flags, let date, let size, let synchronizing, let binary):
            let directive = appendMessageBegin(
                flags: flags, date: date, size: size, synchronizing: synchronizing, binary: binary)
            return directive == .rejectAppendMessage ? (closeIfTooManyBadCommands() ?? directive) : directive
        case .appendMessageBytes(let bytes):
            await appendMessageBytes(bytes)
            return .next
        case .appendMessageEnd:
            await appendMessageEnd()
            return .next
        case .appendEnd:
            await appendEnd()
            return closeIfTooManyBadCommands() ?? .next
        case .appendError(let tag, let message):
            append?.abort()
            append = nil
            return protocolError(tag: tag, message: message)
        }
    }

    /// A command that does not parse: BAD, and the connection stays usable. Before login, too many of
    /// them close the connection (a client speaking another protocol, RFC 9051 §11 cross-protocol).
    func protocolError(tag: String?, message: String) -> ResumeDirective {
        if let tag {
            beginCommand(.other)
            tagged(tag, .bad, text: message)
        } else {
            send(.condition(.bad, code: nil, text: message))
        }
        if account == nil {
            badCommandsBeforeLogin += 1
            if badCommandsBeforeLogin >= Self.maxBadCommandsBeforeLogin {
                bye("Too many invalid commands")
                return .close
            }
        }
        return .next
    }

    /// Dispatches a command by connection state (RFC 9051 §6; `SessionState.admits`).
    func execute(_ tagged: TaggedCommand) async -> ResumeDirective {
        let tag = tagged.tag
        beginCommand(Self.commandName(tagged.command))
        switch state.admits(tagged.command) {
        case .admitted:
            break
        case .needsLogin:
            self.tagged(tag, .bad, text: "Log in first (LOGIN or AUTHENTICATE)")
            return protocolErrorCount()
        case .needsSelection:
            self.tagged(tag, .bad, text: "Select a mailbox first")
            return .next
        case .loggedOut:
            return .close
        }
        if extensions.uidOnly, Self.usesSequenceNumbers(tagged.command) {
            refuseSequenceNumbers(tag)
            return .next
        }
        extensions.noteCommand(tagged.command)
        // UID commands may report expunges (RFC 9051 §7.5.1): doing it first means a UID that another
        // session expunged is simply absent instead of an error.
        if isUIDCommand(tagged.command) { await reportUpdates(allowExpunge: true) }
        switch tagged.command {
        // §6.1: any state
        case .capability: return capability(tag)
        case .noop: return await noop(tag)
        case .logout: return logout(tag)
        case .id(let parameters): return await id(tag, parameters)
        // §6.2: not authenticated
        case .starttls: return startTLS(tag)
        case .login(let user, let password): return await login(tag, user: user, password: password)
        case .authenticate(let mechanism, let initial):
            return await authenticate(tag, mechanism: mechanism, initialResponse: initial)
        // §6.3: authenticated (also valid when selected)
        case .enable(let names): return enable(tag, names)
        case .select(let name, let parameters): return await select(tag, name, parameters: parameters, readOnly: false)
        case .examine(let name, let parameters): return await select(tag, name, parameters: parameters, readOnly: true)
        case .create(let name, let parameters): return await create(tag, name, parameters: parameters)
        case .delete(let name): return await delete(tag, name)
        case .rename(let from, let to): return await rename(tag, from: from, to: to)
        case .subscribe(let name): return await subscribe(tag, name, subscribed: true)
        case .unsubscribe(let name): return await subscribe(tag, name, subscribed: false)
        case .list(let command): return await list(tag, command)
        case .lsub(let reference, let pattern): return await lsub(tag, reference: reference, pattern: pattern)
        case .namespace: return await namespace(tag)
        case .status(let name, let attributes): return await status(tag, name, attributes)
        case .idle: return await startIdle(tag)
        case .unauthenticate: return unauthenticate(tag)
        case .getQuota(let root): return await getQuota(tag, root: root)
        case .getQuotaRoot(let name): return await getQuotaRoot(tag, name)
        case .setQuota(let root, let limits): return await setQuota(tag, root: root, limits: limits)
        case .compress(let algorithm): return compress(tag, algorithm: algorithm)
        case .getMetadata(let name, let options, let entries):
            return await getMetadata(tag, name, options: options, entries: entries)
        case .setMetadata(let name, let values): return await setMetadata(tag, name, values)
        // §6.4: selected
        case .check: return await check(tag)
        case .close: return await close(tag)
        case .unselect: return unselect(tag)
        case .expunge: return await expunge(tag, uids: nil)
        case .uidExpunge(let set): return await expunge(tag, uids: set)
        case .search(let command): return await search(tag, command)
        case .sort(let command): return await sort(tag, command)
        case .thread(let command): return await thread(tag, command)
        case .fetch(let set, let attributes, let modifiers, let uid):
            return await fetch(tag, set, attributes, modifiers: modifiers, uid: uid)
        case .store(let set, let action, let unchangedSince, let uid):
            return await storeFlags(tag, set, action, unchangedSince: unchangedSince, uid: uid)
        case .copy(let set, let destination, let uid): return await copy(tag, set, to: destination, uid: uid)
        case .move(let set, let destination, let uid): return await move(tag, set, to: destination, uid: uid)
        }
    }

    private func isUIDCommand(_ command: Command) -> Bool {
        guard state.selectedMailbox != nil else { return false }
        switch command {
        case .fetch(_, _, _, let uid), .store(_, _, _, let uid), .copy(_, _, let uid): return uid
        case .search(let search): return search.uid
        case .sort(let sort): return sort.uid
        case .thread(let thread): return thread.uid
        default: return false
        }
    }

    /// Before login, the connection closes after too many invalid commands (BYE already written).
    func closeIfTooManyBadCommands() -> ResumeDirective? {
        guard account == nil, badCommandsBeforeLogin >= Self.maxBadCommandsBeforeLogin else { return nil }
        bye("Too many invalid commands")
        return .close
    }

    private func protocolErrorCount() -> ResumeDirective {
        badCommandsBeforeLogin += 1
        if badCommandsBeforeLogin >= Self.maxBadCommandsBeforeLogin {
            bye("Too many invalid commands")
            return .close
        }
        return .next
    }

    // MARK: Output

    // Every byte of output is a response value written by IMAPWire's encoder.

    func send(_ response: UntaggedResponse) {
        if extensions.uidOnly, case .fetch(let fetch) = response {
            ResponseEncoder().encode(.fetch(Self.uidFetch(fetch)), into: &out)
            return
        }
        ResponseEncoder().encode(response, into: &out)
    }

    func send(_ response: ServerResponse) {
        ResponseEncoder().encode(response, into: &out)
    }

    func tagged(_ tag: String, _ status: ResponseStatus, code: ResponseCode? = nil, text: String) {
        send(.tagged(TaggedResponse(tag: tag, status: status, code: code, text: text)))
        endCommand(status)
    }

    /// `* BYE text` (RFC 9051 §7.1.5): the connection closes after it.
    func bye(_ text: String) {
        send(.condition(.bye, code: nil, text: text))
    }

    /// Hands what is written so far to the connection; `head`: it begins a long response (see
    /// `SessionConnection.writeHead`).
    func flush(head: Bool = false) async {
        guard out.readableBytes > 0 else { return }
        let buffer = out
        out = ByteBufferAllocator().buffer(capacity: 1024)
        if head {
            await connection.writeHead(buffer)
        } else {
            await connection.write(buffer)
        }
    }

    func flushIfLarge() async {
        if out.readableBytes >= Self.flushThreshold { await flush() }
    }

    /// Answers a failed store call: user errors as NO with a response code, an unreachable store as
    /// NO [UNAVAILABLE], anything else as NO [SERVERBUG] without details (they go to the log).
    func fail(_ tag: String, _ error: any Error, command: String) {
        if let storeError = error as? MailStoreError {
            switch storeError {
            case .mailboxNotFound:
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return
            case .mailboxExists:
                tagged(tag, .no, code: .alreadyExists, text: "Mailbox already exists")
                return
            case .invalidMailboxName(let why):
                tagged(tag, .no, code: .cannot, text: "Invalid mailbox name: \(why)")
                return
            case .cannotDeleteInbox:
                tagged(tag, .no, code: .cannot, text: "INBOX cannot be deleted")
                return
            case .noSelect:
                tagged(tag, .no, code: .cannot, text: "Mailbox cannot be selected or has children")
                return
            case .messageTooLarge:
                tagged(tag, .no, code: .tooBig, text: "Message too large")
                return
            case .overQuota:
                tagged(tag, .no, code: .overQuota, text: "Over quota: delete or expunge messages first")
                return
            case .unavailable:
                tagged(tag, .no, code: .unavailable, text: "The mail store is unavailable, try again later")
                return
            case .accountNotFound, .accountExists, .invalidAccountName, .appPasswordExists, .appPasswordNotFound,
                .invalidAppPasswordLabel, .tooManyAppPasswords, .internal:
                break
            }
        }
        logger.error("\(command) failed: \(error)")
        tagged(tag, .no, code: .serverBug, text: "Internal error, the operation was not completed")
    }
}
