#ifndef POSTERN_SQLITE_SYNC_RECORDER_H
#define POSTERN_SQLITE_SYNC_RECORDER_H

/// A test-only SQLite VFS that wraps the process's default VFS and counts, per file, the writes
/// and the syncs (xSync) that reach it. Once installed it is the default VFS, so every connection
/// opened afterwards (GRDB's included) goes through it unchanged; it only counts.
///
/// A commit is durable once every byte it wrote is synced: a file whose `unsynced_writes` is not
/// zero after a write was acknowledged holds data a power cut can take away.

typedef struct {
    /// xWrite and xTruncate calls that succeeded.
    long long writes;
    /// xSync calls that succeeded.
    long long syncs;
    /// Writes since the last successful sync.
    long long unsynced_writes;
} sync_recorder_counts;

/// Registers the recorder as the default VFS (once; later calls do nothing). Returns an SQLite
/// result code.
int sync_recorder_install(void);

/// The counts of every file whose path ends with `suffix`, summed (all zero when none matched).
sync_recorder_counts sync_recorder_counts_for(const char *suffix);

#endif
