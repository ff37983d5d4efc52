import IMAPWire
import NIOCore

/// What a session asks of its connection once it has dealt with an event.
///
/// The connection hands the session exactly one `FramerEvent` at a time and waits for one of these
/// before it looks at further input: commands are executed strictly in order, and nothing the
/// client pipelined is parsed before the session has decided what the input means (a raw
/// AUTHENTICATE line, an APPEND literal to accept, cleartext to drop after STARTTLS).
public enum ResumeDirective: Sendable, Equatable {
    /// Parse and deliver the next event.
    case next
    /// The next line is a raw client response (AUTHENTICATE, IDLE's DONE), not a command.
    case rawLine
    /// Accept the APPEND message just announced: send `+` if it is synchronizing, then stream it.
    case acceptAppendMessage
    /// Refuse the APPEND message just announced (a tagged NO has been written).
    case rejectAppendMessage
    /// STARTTLS succeeded: in one event-loop turn, drop all buffered cleartext, write this tagged OK
    /// in clear and start the TLS handshake (so neither injected cleartext nor the client's first
    /// handshake bytes can fall between the two).
    case startTLS(ByteBuffer)
    /// COMPRESS DEFLATE succeeded (RFC 4978 §3): write this tagged OK uncompressed, then put the
    /// deflate layer in front of the session; every byte that follows, both ways, is compressed. Input
    /// the client pipelined after the command is already compressed and goes through the new layer.
    case startCompression(ByteBuffer)
    /// Close the connection once everything written has been flushed.
    case close
}

/// The session's only view of the network: it never touches a Channel (see docs/ARCHITECTURE.md).
public protocol SessionConnection: Sendable {
    /// Writes and flushes bytes; returns once they are handed to the transport.
    func write(_ buffer: ByteBuffer) async
    /// `write` for the beginning of a long response (the first piece of a large message's literal),
    /// after which the session goes on producing the rest at once: the transport may let the reader
    /// of these bytes run before that.
    func writeHead(_ buffer: ByteBuffer) async
    /// Lets the connection go on with its input.
    func resume(_ directive: ResumeDirective)
    /// The inactivity timeout: short before login, at least 30 minutes after (RFC 9051 §5.4).
    func setIdleTimeout(seconds: Int64)
    /// False once the client is gone: long work for it (streaming a large message) stops.
    var isOpen: Bool { get }
    /// While an interval is set, the connection delivers `SessionInput.keepalive` at that interval
    /// (IDLE's keepalive line); nil stops it. The connection's timer costs an idling session less than
    /// a task of its own would.
    func setKeepalive(_ interval: Duration?)
}

/// What a session task receives: the framer's events (each answered by one `resume`), and wake-ups
/// that need no answer (another session changed the mailbox this one is idling on; a keepalive tick).
public enum SessionInput: Sendable {
    case framer(FramerEvent)
    case mailboxChanged
    case keepalive
    /// The account this session is logged in as was deleted: the session ends.
    case accountRemoved
    /// The server is shutting down: the session says BYE and ends, at once if it is between commands
    /// (or idling), else as soon as the command in progress (an APPEND still receiving its message)
    /// has been answered.
    case shutdown
    /// An administrator ended the session: as `shutdown`, with its own BYE text.
    case disconnect
}

extension SessionConnection {
    public func writeHead(_ buffer: ByteBuffer) async {
        await write(buffer)
    }

    public func setKeepalive(_ interval: Duration?) {}
}
