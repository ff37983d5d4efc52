/// Every limit of the ClientHello reader, in one place.
public enum ClientHelloLimits {
    /// Most bytes (record headers included) looked at before the reader gives up with `.tooLong`: a
    /// ClientHello is usually under 2 KB, a few KB with post-quantum key shares or a session ticket.
    /// The connection holds at most this much (plus one socket read) before the TLS layer takes over.
    public static let maxBytes = 16 * 1024
}

/// Why bytes are not a ClientHello this reader understands. The connection then lets the TLS layer
/// see the same bytes with its default certificate: the TLS layer, not this reader, refuses what is
/// broken.
public enum ClientHelloError: Error, Sendable, Equatable {
    /// A record that is not a handshake record (or not TLS at all: SSL 2, cleartext IMAP).
    case notHandshakeRecord
    /// A record header with an impossible version or length (RFC 8446 §5.1).
    case badRecord
    /// The first handshake message is not a ClientHello.
    case notClientHello
    /// The ClientHello (or the records carrying it) exceeds `ClientHelloLimits.maxBytes`.
    case tooLong
    /// The ClientHello's body does not follow its structure (see `ClientHelloOffer.parse`).
    case malformed(String)
}

/// Reads a TLS ClientHello from the first bytes of a connection, whichever way they are chunked.
///
/// RFC 8446 §5.1 (record layer) and §4 (handshake header), with RFC 5246 §6.2.1 for TLS 1.2 records:
///
///     TLSPlaintext = ContentType(1) legacy_record_version(2) length(2) fragment(length)
///                    ; ContentType 22 = handshake; length 1..2^14; version 0x0300..0x0304
///     Handshake    = msg_type(1) length(3) body(length)
///                    ; msg_type 1 = client_hello; one handshake message may span several records
///
/// Each byte is looked at once: `feed` keeps the partial record header and the handshake bytes of the
/// records so far, and parses the body (`ClientHelloOffer.parse`) once all of it has arrived.
public struct ClientHelloReader: Sendable {
    public enum Status: Sendable, Equatable {
        case needMore
        case complete(ClientHelloOffer)
        case invalid(ClientHelloError)
    }

    static let recordHeaderSize = 5
    static let handshakeHeaderSize = 4
    static let maxRecordLength = 1 << 14
    static let handshakeContentType: UInt8 = 22
    static let clientHelloType: UInt8 = 1

    private var header: [UInt8] = []
    /// Bytes of the current record's fragment still to come (0: a record header comes next).
    private var fragmentLeft = 0
    private var handshake: [UInt8] = []
    private var consumed = 0
    public private(set) var status = Status.needMore

    public init() {}

    /// Takes the next bytes of the connection. Once the status is no longer `.needMore` it stays as
    /// it is and later bytes are ignored (they belong to the TLS layer).
    @discardableResult
    public mutating func feed(_ bytes: some Collection<UInt8>) -> Status {
        var rest = bytes[...]
        while status == .needMore && !rest.isEmpty {
            if consumed >= ClientHelloLimits.maxBytes {
                status = .invalid(.tooLong)
                break
            }
            let room = ClientHelloLimits.maxBytes - consumed
            if fragmentLeft == 0 {
                let take = min(Self.recordHeaderSize - header.count, rest.count, room)
                header += rest.prefix(take)
                rest = rest.dropFirst(take)
                consumed += take
                if header.count == Self.recordHeaderSize { startRecord() }
            } else {
                let take = min(fragmentLeft, rest.count, room)
                handshake += rest.prefix(take)
                rest = rest.dropFirst(take)
                consumed += take
                fragmentLeft -= take
                checkHandshake()
            }
        }
        return status
    }

    private mutating func startRecord() {
        let length = Int(header[3]) << 8 | Int(header[4])
        defer { header.removeAll(keepingCapacity: true) }
        guard header[0] == Self.handshakeContentType else {
            status = .invalid(.notHandshakeRecord)
            return
        }
        guard header[1] == 3, header[2] <= 4, (1...Self.maxRecordLength).contains(length) else {
            status = .invalid(.badRecord)
            return
        }
        fragmentLeft = length
    }

    private mutating func checkHandshake() {
        guard let type = handshake.first else { return }
        guard type == Self.clientHelloType else {
            status = .invalid(.notClientHello)
            return
        }
        guard handshake.count >= Self.handshakeHeaderSize else { return }
        let length = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
        let total = Self.handshakeHeaderSize + length
        guard total <= ClientHelloLimits.maxBytes else {
            status = .invalid(.tooLong)
            return
        }
        guard handshake.count >= total else { return }
        switch ClientHelloOffer.parse(handshake[Self.handshakeHeaderSize..<total]) {
        case .success(let offer): status = .complete(offer)
        case .failure(let error): status = .invalid(error)
        }
    }
}
