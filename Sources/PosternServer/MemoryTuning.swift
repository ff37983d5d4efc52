#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide settings of the C allocator, made once by `postern serve` before it serves.
public enum MemoryTuning {
    /// Allocations from this size on get a mapping of their own, returned to the system when freed.
    public static let mmapThreshold: Int32 = 16 << 20
    /// Free memory at the top of a heap beyond this is returned to the system.
    public static let trimThreshold: Int32 = 64 << 20

    /// Keeps the buffers of large messages from staying resident after use.
    ///
    /// glibc serves a large allocation with a mapping of its own and unmaps it when freed, but after
    /// the first such free it raises that threshold to the freed size, so later buffers of that size
    /// come from the heap, whose freed memory the process keeps: a server that now and then reads a
    /// large message whole (SEARCH in its text, FETCH of a part) stays larger by that much for good.
    /// With the threshold fixed, such buffers keep mappings of their own. It is not set lower because
    /// the batch buffers of a whole-mailbox FETCH (several MB) would then be mapped and faulted in
    /// again each time. Fixing it also fixes the trim threshold, which glibc otherwise keeps at its
    /// 128 KB default. What it buys: the resident size after `Benchmarks/run.sh bigmailbox`, whose
    /// SEARCH reads a 20 MB message (figures in Benchmarks/README.md).
    public static func returnLargeBuffersToTheSystem() {
        #if canImport(Glibc)
            // `mallopt`: <malloc.h> is not in the Glibc module, so through dlsym.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let trimOption: Int32 = -1  // M_TRIM_THRESHOLD
            let mmapOption: Int32 = -3  // M_MMAP_THRESHOLD
            if let symbol = dlsym(nil, "mallopt") {
                let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
                _ = mallopt(mmapOption, mmapThreshold)
                _ = mallopt(trimOption, trimThreshold)
            }
        #endif
    }
}
