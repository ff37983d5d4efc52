import NIOCore

/// Sizes that bound the buffers a connection's TLS layer keeps.
///
/// NIOSSL keeps two buffers per connection for the connection's whole life, each at the largest size
/// it ever needed: the plaintext decrypted in one read cycle, and the ciphertext of one flush. Left
/// alone they grow to the largest socket read (64 KB of ciphertext from an APPEND, kept as a 128 KB
/// plaintext buffer) and to the largest answer flushed at once (a FETCH of a 300 KB message keeps a
/// 512 KB buffer), and a busy server ends up holding those sizes for every connection that ever
/// needed them. What bounding them buys: memory under load (imaptest stress with 100 clients,
/// figures in Benchmarks/README.md), at no cost in throughput there or in `run.sh append`.
enum ConnectionBuffers {
    /// Ciphertext taken from the socket per read: one TLS record, so that what it decrypts to, plus
    /// room for the next record, fits the plaintext buffer's initial two records.
    static let maximumReadSize = 16 * 1024

    /// Output goes to the TLS layer in pieces of at most this many bytes, each flushed on its own: a
    /// piece and its record overhead (at most 29 bytes, TLS 1.2 with AES-GCM) fit the ciphertext
    /// buffer's initial size of one record.
    static let writePiece = 16 * 1024 - 256

    /// Writes up to this size go out without waiting while the socket takes them; larger ones, or any
    /// write while the socket is backed up, wait, so a client that does not read holds its session
    /// instead of growing the server's memory.
    static let unawaitedWriteLimit = 16 * 1024
}
