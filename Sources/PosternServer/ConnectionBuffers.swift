/// How much a connection reads from its socket at once.
///
/// swift-nio-ssl decrypts what one read cycle brought into a plaintext buffer that the connection keeps
/// for its whole life at the largest size it reached: with reads of up to 64 KB (SwiftNIO's default),
/// every connection that ever streamed an APPEND keeps 128 KB, and one read cycle of a large APPEND
/// holds its event loop, and the other connections on it, for that much decryption. At one TLS record
/// per read the buffer stays at its initial two records and the loop turns over more often. What it
/// buys (figures in Benchmarks/README.md): the NOOP tail and the memory of `run.sh appendnoop`, and
/// memory under imaptest's stress load; `run.sh append` is not slower.
enum ConnectionBuffers {
    static let maximumReadSize = 16 * 1024
}
