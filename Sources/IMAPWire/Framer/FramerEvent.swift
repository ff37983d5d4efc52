import NIOCore

/// What the `CommandFramer` tells its owner (the session), one event per `next()` call.
public enum FramerEvent: Sendable, Hashable {
    /// A complete, well-formed command.
    case command(TaggedCommand)
    /// A malformed or refused command: answer `tag BAD message` (untagged `* BAD` if `tag` is nil). The whole
    /// command, literals included, has been consumed; the framer is ready for the next one.
    case commandError(tag: String?, message: String)
    /// A synchronizing literal was announced and is acceptable: write a `+ ...` continuation now.
    case continuationRequest
    /// Unrecoverable (line too long, refused non-synchronizing literal too big to skip...): send `* BYE` and close.
    /// The framer produces nothing afterwards.
    case fatal(message: String)
    /// The line requested with `expectRawLine()` (AUTHENTICATE response, IDLE's DONE), without its CRLF.
    case rawLine(ByteBuffer)
    /// An APPEND command starts.
    case appendStart(tag: String, mailbox: MailboxName)
    /// A REPLACE or UID REPLACE command starts (RFC 8508 §3): `target` is the message sequence number
    /// (or the UID when `uid`) of the message to replace. Its one message follows as an APPEND's does.
    case replaceStart(tag: String, target: UInt32, uid: Bool, mailbox: MailboxName)
    /// A message of the APPEND follows. The framer waits until the owner calls `acceptAppendMessage()` or
    /// `rejectAppendMessage()`. `binary` is literal8 `~{n}` (RFC 3516).
    case appendMessageBegin(flags: [Flag], internalDate: InternalDate?, size: Int, synchronizing: Bool, binary: Bool)
    /// Bytes of the accepted message, as they arrive.
    case appendMessageBytes(ByteBuffer)
    /// All bytes of the accepted message were delivered.
    case appendMessageEnd
    /// The CRLF ending the APPEND command: answer the APPEND now.
    case appendEnd
    /// The rest of an APPEND after a message was malformed; the command is consumed. Answer `tag BAD message`.
    case appendError(tag: String, message: String)
}
