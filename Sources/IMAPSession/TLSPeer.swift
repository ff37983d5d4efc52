/// What TLS established on a connection, known once its handshake is done: the session reads it
/// through `SessionConfiguration.tlsPeer` when it needs it (capabilities, AUTHENTICATE).
public struct TLSPeer: Sendable, Equatable {
    /// The `tls-server-end-point` channel binding of the certificate served on this connection
    /// (RFC 5929 §4): SCRAM-SHA-256-PLUS is offered when set.
    public var channelBinding: [UInt8]?
    /// The account name mapped from the client's verified certificate: AUTHENTICATE EXTERNAL
    /// (RFC 4422 Appendix A) is offered when set.
    public var clientIdentity: String?

    public init(channelBinding: [UInt8]? = nil, clientIdentity: String? = nil) {
        self.channelBinding = channelBinding
        self.clientIdentity = clientIdentity
    }
}
