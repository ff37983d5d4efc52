import CompressNIO
import NIOCore

/// The deflate layer of COMPRESS=DEFLATE (RFC 4978): its costs and bounds, in one place.
///
/// What a compressed connection holds (zlib's own accounting): the compressor 2^(windowBits+2) +
/// 2^(memoryLevel+9) bytes plus about 6 KB of state; the decompressor about 7 KB of state plus a
/// 32 KB window, which the client's choice of window fixes (RFC 4978 §4 lets it use 32 KB). The
/// figures measured per idle session are in Benchmarks/README.md ("COMPRESS").
enum DeflateSettings {
    /// 8 KB of history instead of zlib's default 32 KB, and a 32 KB hash instead of 128 KB: about
    /// 70 KB per compressing connection instead of 262 KB. On the mail corpus of Tests/mime-diff a
    /// sync flush per message compresses to 44.4% of the input against 43.0% with the defaults.
    static let windowBits: Int32 = 13
    static let memoryLevel: Int32 = 6
    /// zlib's default balance of speed and size.
    static let compressionLevel: Int32 = 6

    /// The compressor is given up after this long without output, and a new one made at the next
    /// response. The stream stays valid: every response ends in a sync flush, so the client has all
    /// the history, and a new compressor only makes no back-references into it. An idle (IDLE)
    /// session so holds only the decompressor.
    static let compressorIdleRelease = TimeAmount.seconds(30)

    /// Most bytes inflated from the client's input before the session has asked for more (the
    /// decompression-bomb bound): a few kilobytes can inflate to gigabytes, so input is inflated a
    /// chunk at a time as the connection reads, under the same back-pressure as uncompressed input
    /// (`IMAPConnectionHandler.readHighWater`).
    static let maxInflatedBytesPerRead = 64 * 1024

    static var compressorConfiguration: ZlibConfiguration {
        ZlibConfiguration(windowSize: windowBits, compressionLevel: compressionLevel, memoryLevel: memoryLevel)
    }

    /// The largest window RFC 1951 allows: the client picks its own (RFC 4978 §4).
    static let decompressorWindowBits: Int32 = 15
}
