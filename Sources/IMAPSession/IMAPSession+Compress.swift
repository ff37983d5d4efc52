import IMAPWire

/// COMPRESS (RFC 4978): the session decides; the connection puts the deflate layer in.
extension IMAPSession {
    /// The one algorithm RFC 4978 defines: raw deflate (RFC 1951) both ways.
    static let compressionAlgorithm = "DEFLATE"

    /// RFC 4978 §3: in the authenticated and selected states. The tagged OK is the last uncompressed
    /// byte the server sends; the connection writes it and then compresses everything after it
    /// (`ResumeDirective.startCompression`). A second COMPRESS is refused with `[COMPRESSIONACTIVE]`,
    /// also after UNAUTHENTICATE: the layer stays for the life of the connection.
    func compress(_ tag: String, algorithm: String) -> ResumeDirective {
        if compressionActive {
            tagged(tag, .no, code: .compressionActive, text: "DEFLATE is already active")
            return .next
        }
        guard algorithm == Self.compressionAlgorithm else {
            tagged(tag, .bad, text: "Unknown compression algorithm (only DEFLATE)")
            return .next
        }
        let response = ResponseEncoder().encode(
            .tagged(TaggedResponse(tag: tag, status: .ok, text: "DEFLATE active")))
        endCommand(.ok)
        compressionActive = true
        return .startCompression(response)
    }
}
