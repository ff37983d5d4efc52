import NIOCore

/// Writes commands in their wire form (client side: round-trip tests, load generator).
/// Strings that cannot be quoted are written as synchronizing literals.
public struct CommandEncoder: Sendable {
    public init() {}

    /// The whole command, CRLF included.
    public func encode(_ command: TaggedCommand) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(command, into: &buffer)
        return buffer
    }

    public func write(_ tagged: TaggedCommand, into b: inout ByteBuffer) {
        b.writeString(tagged.tag + " ")
        switch tagged.command {
        case .capability: b.writeString("CAPABILITY")
        case .noop: b.writeString("NOOP")
        case .logout: b.writeString("LOGOUT")
        case .starttls: b.writeString("STARTTLS")
        case .authenticate(let mechanism, let ir):
            b.writeString("AUTHENTICATE " + mechanism)
            if let ir { b.writeString(" " + (ir.isEmpty ? "=" : ir)) }
        case .login(let user, let password):
            b.writeString("LOGIN ")
            b.writeIMAPAtomOrString(user)
            b.writeString(" ")
            b.writeIMAPAtomOrString(password)
        case .enable(let caps):
            b.writeString("ENABLE")
            for c in caps { b.writeString(" " + c) }
        case .select(let m, let params):
            b.writeString("SELECT ")
            b.writeMailboxName(m)
            b.writeSelectParameters(params)
        case .examine(let m, let params):
            b.writeString("EXAMINE ")
            b.writeMailboxName(m)
            b.writeSelectParameters(params)
        case .create(let m, let params):
            b.writeString("CREATE ")
            b.writeMailboxName(m)
            b.writeCreateParameters(params)
        case .delete(let m): writeMailboxCommand("DELETE", m, &b)
        case .rename(let from, let to):
            b.writeString("RENAME ")
            b.writeMailboxName(from)
            b.writeString(" ")
            b.writeMailboxName(to)
        case .subscribe(let m): writeMailboxCommand("SUBSCRIBE", m, &b)
        case .unsubscribe(let m): writeMailboxCommand("UNSUBSCRIBE", m, &b)
        case .list(let list): b.writeListCommand(list)
        case .lsub(let reference, let pattern):
            b.writeString("LSUB ")
            b.writeMailboxName(reference)
            b.writeString(" ")
            b.writeListMailbox(pattern)
        case .namespace: b.writeString("NAMESPACE")
        case .status(let m, let atts):
            b.writeString("STATUS ")
            b.writeMailboxName(m)
            b.writeString(" ")
            b.writeStatusAttributes(atts)
        case .check: b.writeString("CHECK")
        case .close: b.writeString("CLOSE")
        case .unselect: b.writeString("UNSELECT")
        case .unauthenticate: b.writeString("UNAUTHENTICATE")
        case .expunge: b.writeString("EXPUNGE")
        case .uidExpunge(let set):
            b.writeString("UID EXPUNGE ")
            b.writeSequenceSet(set)
        case .search(let search):
            if search.uid { b.writeString("UID ") }
            b.writeSearchCommand(search)
        case .sort(let sort):
            if sort.uid { b.writeString("UID ") }
            b.writeSortCommand(sort)
        case .thread(let thread):
            if thread.uid { b.writeString("UID ") }
            b.writeThreadCommand(thread)
        case .fetch(let set, let atts, let modifiers, let uid):
            b.writeString(uid ? "UID FETCH " : "FETCH ")
            b.writeSequenceSet(set)
            b.writeString(" (")
            for (i, a) in atts.enumerated() {
                if i > 0 { b.writeString(" ") }
                b.writeFetchAttribute(a)
            }
            b.writeString(")")
            b.writeFetchModifiers(modifiers)
        case .store(let set, let action, let unchangedSince, let uid):
            b.writeString(uid ? "UID STORE " : "STORE ")
            b.writeSequenceSet(set)
            if let unchangedSince { b.writeString(" (UNCHANGEDSINCE \(unchangedSince))") }
            b.writeString(" ")
            b.writeStoreAction(action)
        case .copy(let set, let m, let uid):
            b.writeString(uid ? "UID COPY " : "COPY ")
            b.writeSequenceSet(set)
            b.writeString(" ")
            b.writeMailboxName(m)
        case .move(let set, let m, let uid):
            b.writeString(uid ? "UID MOVE " : "MOVE ")
            b.writeSequenceSet(set)
            b.writeString(" ")
            b.writeMailboxName(m)
        case .idle: b.writeString("IDLE")
        case .id(let params):
            b.writeString("ID ")
            guard let params else {
                b.writeString("NIL")
                break
            }
            b.writeString("(")
            for (i, p) in params.enumerated() {
                if i > 0 { b.writeString(" ") }
                b.writeIMAPString(p.key)
                b.writeString(" ")
                b.writeIMAPNString(p.value)
            }
            b.writeString(")")
        case .getQuota(let root):
            b.writeString("GETQUOTA ")
            b.writeQuotaRoot(root)
        case .getQuotaRoot(let m): writeMailboxCommand("GETQUOTAROOT", m, &b)
        case .setQuota(let root, let limits):
            b.writeString("SETQUOTA ")
            b.writeQuotaRoot(root)
            b.writeString(" ")
            b.writeQuotaLimits(limits)
        case .compress(let algorithm): b.writeString("COMPRESS " + algorithm)
        case .getMetadata(let m, let options, let entries):
            b.writeString("GETMETADATA ")
            var items: [String] = []
            if let maxSize = options.maxSize { items.append("MAXSIZE \(maxSize)") }
            switch options.depth {
            case .zero: break
            case .one: items.append("DEPTH 1")
            case .infinity: items.append("DEPTH infinity")
            }
            if !items.isEmpty { b.writeString("(" + items.joined(separator: " ") + ") ") }
            b.writeMailboxName(m)
            b.writeString(" (")
            for (i, entry) in entries.enumerated() {
                if i > 0 { b.writeString(" ") }
                b.writeIMAPAtomOrString(entry)
            }
            b.writeString(")")
        case .setMetadata(let m, let values):
            writeMailboxCommand("SETMETADATA", m, &b)
            b.writeString(" ")
            b.writeMetadataEntryValues(values)
        }
        b.writeString("\r\n")
    }

    private func writeMailboxCommand(_ name: String, _ m: MailboxName, _ b: inout ByteBuffer) {
        b.writeString(name + " ")
        b.writeMailboxName(m)
    }

    /// Writes an APPEND command with its messages as synchronizing literals (or literal8 when `binary`).
    public func writeAppend(
        tag: String, mailbox: MailboxName, messages: [AppendMessage], into b: inout ByteBuffer
    ) {
        b.writeString(tag + " APPEND ")
        b.writeMailboxName(mailbox)
        for m in messages {
            if !m.flags.isEmpty {
                b.writeString(" ")
                b.writeFlagList(m.flags)
            }
            if let date = m.internalDate {
                b.writeString(" ")
                b.writeInternalDate(date)
            }
            b.writeString(m.binary ? " ~{\(m.data.count)}\r\n" : " {\(m.data.count)}\r\n")
            b.writeBytes(m.data)
        }
        b.writeString("\r\n")
    }
}

/// One message of an APPEND, for `CommandEncoder.writeAppend`.
public struct AppendMessage: Sendable, Hashable {
    public var flags: [Flag]
    public var internalDate: InternalDate?
    public var data: [UInt8]
    public var binary: Bool

    public init(flags: [Flag] = [], internalDate: InternalDate? = nil, data: [UInt8], binary: Bool = false) {
        self.flags = flags
        self.internalDate = internalDate
        self.data = data
        self.binary = binary
    }
}
