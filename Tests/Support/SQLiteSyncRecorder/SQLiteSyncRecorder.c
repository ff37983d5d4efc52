#include "SQLiteSyncRecorder.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

// One entry per distinct file path opened through the recorder.
enum { max_paths = 1024, max_path_length = 1024 };

typedef struct {
    char path[max_path_length];
    sync_recorder_counts counts;
} recorded_path;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static recorded_path table[max_paths];
static int table_count = 0;

static sqlite3_vfs *real_vfs = NULL;
static sqlite3_vfs recorder_vfs;

/// Our file: the real VFS's file object follows it in the same allocation.
typedef struct {
    sqlite3_file base;
    int slot;  // index in `table`, or -1 for a file without a name (temporary files)
    sqlite3_file *real;
} recorder_file;

static int slot_for(const char *path) {
    if (path == NULL || strlen(path) >= max_path_length) return -1;
    pthread_mutex_lock(&table_lock);
    int slot = -1;
    for (int i = 0; i < table_count; i++) {
        if (strcmp(table[i].path, path) == 0) {
            slot = i;
            break;
        }
    }
    if (slot < 0 && table_count < max_paths) {
        slot = table_count++;
        strcpy(table[slot].path, path);
        memset(&table[slot].counts, 0, sizeof(table[slot].counts));
    }
    pthread_mutex_unlock(&table_lock);
    return slot;
}

static void record_write(int slot) {
    if (slot < 0) return;
    pthread_mutex_lock(&table_lock);
    table[slot].counts.writes += 1;
    table[slot].counts.unsynced_writes += 1;
    pthread_mutex_unlock(&table_lock);
}

static void record_sync(int slot) {
    if (slot < 0) return;
    pthread_mutex_lock(&table_lock);
    table[slot].counts.syncs += 1;
    table[slot].counts.unsynced_writes = 0;
    pthread_mutex_unlock(&table_lock);
}

#define REAL(file) (((recorder_file *)(file))->real)
#define SLOT(file) (((recorder_file *)(file))->slot)

static int rec_close(sqlite3_file *file) {
    return REAL(file)->pMethods->xClose(REAL(file));
}

static int rec_read(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
    return REAL(file)->pMethods->xRead(REAL(file), buffer, amount, offset);
}

static int rec_write(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
    int rc = REAL(file)->pMethods->xWrite(REAL(file), buffer, amount, offset);
    if (rc == SQLITE_OK) record_write(SLOT(file));
    return rc;
}

static int rec_truncate(sqlite3_file *file, sqlite3_int64 size) {
    int rc = REAL(file)->pMethods->xTruncate(REAL(file), size);
    if (rc == SQLITE_OK) record_write(SLOT(file));
    return rc;
}

static int rec_sync(sqlite3_file *file, int flags) {
    int rc = REAL(file)->pMethods->xSync(REAL(file), flags);
    if (rc == SQLITE_OK) record_sync(SLOT(file));
    return rc;
}

static int rec_file_size(sqlite3_file *file, sqlite3_int64 *size) {
    return REAL(file)->pMethods->xFileSize(REAL(file), size);
}

static int rec_lock(sqlite3_file *file, int level) {
    return REAL(file)->pMethods->xLock(REAL(file), level);
}

static int rec_unlock(sqlite3_file *file, int level) {
    return REAL(file)->pMethods->xUnlock(REAL(file), level);
}

static int rec_check_reserved_lock(sqlite3_file *file, int *result) {
    return REAL(file)->pMethods->xCheckReservedLock(REAL(file), result);
}

static int rec_file_control(sqlite3_file *file, int op, void *arg) {
    return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
}

static int rec_sector_size(sqlite3_file *file) {
    return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int rec_device_characteristics(sqlite3_file *file) {
    return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int rec_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **pointer) {
    return REAL(file)->pMethods->xShmMap(REAL(file), region, size, extend, pointer);
}

static int rec_shm_lock(sqlite3_file *file, int offset, int n, int flags) {
    return REAL(file)->pMethods->xShmLock(REAL(file), offset, n, flags);
}

static void rec_shm_barrier(sqlite3_file *file) {
    REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int rec_shm_unmap(sqlite3_file *file, int delete_flag) {
    return REAL(file)->pMethods->xShmUnmap(REAL(file), delete_flag);
}

static int rec_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **pointer) {
    return REAL(file)->pMethods->xFetch(REAL(file), offset, amount, pointer);
}

static int rec_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *pointer) {
    return REAL(file)->pMethods->xUnfetch(REAL(file), offset, pointer);
}

// Version 3 methods: WAL needs the shared-memory ones (version 2). `rec_open` only hands these out
// when the real file supports version 3 as well.
static const sqlite3_io_methods recorder_methods = {
    3,
    rec_close,
    rec_read,
    rec_write,
    rec_truncate,
    rec_sync,
    rec_file_size,
    rec_lock,
    rec_unlock,
    rec_check_reserved_lock,
    rec_file_control,
    rec_sector_size,
    rec_device_characteristics,
    rec_shm_map,
    rec_shm_lock,
    rec_shm_barrier,
    rec_shm_unmap,
    rec_fetch,
    rec_unfetch,
};

static int rec_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
    (void)vfs;
    recorder_file *ours = (recorder_file *)file;
    ours->real = (sqlite3_file *)(ours + 1);
    ours->slot = slot_for(name);
    int rc = real_vfs->xOpen(real_vfs, name, ours->real, flags, out_flags);
    if (rc != SQLITE_OK || ours->real->pMethods == NULL) {
        ours->base.pMethods = NULL;
        return rc;
    }
    if (ours->real->pMethods->iVersion < 3) {
        ours->real->pMethods->xClose(ours->real);
        ours->base.pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    ours->base.pMethods = &recorder_methods;
    return SQLITE_OK;
}

static int rec_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int rec_access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, result);
}

static int rec_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, size, out);
}

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_result = SQLITE_OK;

static void install(void) {
    real_vfs = sqlite3_vfs_find(NULL);
    if (real_vfs == NULL) {
        install_result = SQLITE_ERROR;
        return;
    }
    // Everything the recorder does not change (randomness, sleep, time, dlopen, system calls) is
    // the real VFS's.
    recorder_vfs = *real_vfs;
    recorder_vfs.szOsFile = (int)sizeof(recorder_file) + real_vfs->szOsFile;
    recorder_vfs.zName = "postern-sync-recorder";
    recorder_vfs.pNext = NULL;
    recorder_vfs.xOpen = rec_open;
    recorder_vfs.xDelete = rec_delete;
    recorder_vfs.xAccess = rec_access;
    recorder_vfs.xFullPathname = rec_full_pathname;
    install_result = sqlite3_vfs_register(&recorder_vfs, 1);
}

int sync_recorder_install(void) {
    pthread_once(&install_once, install);
    return install_result;
}

sync_recorder_counts sync_recorder_counts_for(const char *suffix) {
    sync_recorder_counts sum = {0, 0, 0};
    size_t suffix_length = strlen(suffix);
    pthread_mutex_lock(&table_lock);
    for (int i = 0; i < table_count; i++) {
        size_t length = strlen(table[i].path);
        if (length >= suffix_length && strcmp(table[i].path + length - suffix_length, suffix) == 0) {
            sum.writes += table[i].counts.writes;
            sum.syncs += table[i].counts.syncs;
            sum.unsynced_writes += table[i].counts.unsynced_writes;
        }
    }
    pthread_mutex_unlock(&table_lock);
    return sum;
}
