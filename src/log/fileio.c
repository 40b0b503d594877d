/* File I/O wrappers with optional fault injection. With no fault mode
 * configured each wrapper costs one predictable branch. */
#include "log/fileio.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/util.h"
#include "log/fileio_track.h"

#define DISK_FULL_RECHECK_MS 50

static atomic_bool faults_on;       /* any fault mode: the fast-path check */
static bool crash_sim;
static char *disk_full_file;
static _Atomic int64_t disk_full_checked_ms = INT64_MIN;
static atomic_bool disk_full_cached;

void fileio_configure(const struct fileio_faults *f)
{
    free(disk_full_file);
    disk_full_file = f && f->disk_full_file ? xstrdup(f->disk_full_file) : NULL;
    crash_sim = f && f->crash_sim;
    track_reset();
    atomic_store(&disk_full_checked_ms, INT64_MIN);
    atomic_store(&faults_on, crash_sim || disk_full_file);
}

static inline bool faults_active(void)
{
    return __builtin_expect(atomic_load_explicit(&faults_on, memory_order_relaxed), 0);
}

/* The trigger file's existence, looked up at most every 50 ms. */
static bool disk_full(void)
{
    if (!disk_full_file)
        return false;
    int64_t now = mono_ms();
    int64_t checked = atomic_load_explicit(&disk_full_checked_ms, memory_order_acquire);
    if (checked != INT64_MIN && now - checked < DISK_FULL_RECHECK_MS)
        return atomic_load_explicit(&disk_full_cached, memory_order_relaxed);
    int saved = errno;
    bool full = access(disk_full_file, F_OK) == 0;
    errno = saved;
    atomic_store_explicit(&disk_full_cached, full, memory_order_relaxed);
    atomic_store_explicit(&disk_full_checked_ms, now, memory_order_release);
    return full;
}

int fileio_open(const char *path, int flags, mode_t mode)
{
    flags |= O_CLOEXEC;
    if (!faults_active() || !crash_sim || !(flags & (O_WRONLY | O_RDWR)))
        return open(path, flags, mode);
    return track_open(path, flags, mode);
}

ssize_t fileio_pwrite(int fd, const void *p, size_t n, off_t off)
{
    if (!faults_active())
        return pwrite(fd, p, n, off);
    if (disk_full()) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t r = pwrite(fd, p, n, off);
    if (r > 0 && crash_sim)
        track_wrote(fd, off + r);
    return r;
}

ssize_t fileio_write(int fd, const void *p, size_t n)
{
    if (!faults_active())
        return write(fd, p, n);
    if (disk_full()) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t r = write(fd, p, n);
    if (r > 0 && crash_sim) {
        int saved = errno;
        off_t end = lseek(fd, 0, SEEK_CUR);
        errno = saved;
        if (end >= 0)
            track_wrote(fd, end);
    }
    return r;
}

/* A sync covers what was written when it started, not what arrives while it runs. */
static int tracked_sync(int fd, int (*sync_fn)(int))
{
    if (!faults_active() || !crash_sim)
        return sync_fn(fd);
    off_t size = track_size(fd);
    int r = sync_fn(fd);
    if (r == 0)
        track_synced(fd, size);
    return r;
}

int fileio_fdatasync(int fd) { return tracked_sync(fd, fdatasync); }
int fileio_fsync(int fd) { return tracked_sync(fd, fsync); }

int fileio_ftruncate(int fd, off_t len)
{
    int r = ftruncate(fd, len);
    if (r == 0 && faults_active() && crash_sim)
        track_truncated(fd, len);
    return r;
}

int fileio_close(int fd)
{
    if (faults_active() && crash_sim)
        track_closed(fd);
    return close(fd);
}

int fileio_unlink(const char *path)
{
    int r = unlink(path);
    if (r == 0 && faults_active() && crash_sim)
        track_unlinked(path);
    return r;
}

int fileio_rename(const char *from, const char *to)
{
    int r = rename(from, to);
    if (r == 0 && faults_active() && crash_sim)
        track_renamed(from, to);
    return r;
}

int fileio_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    if (r == 0 && faults_active() && crash_sim)
        track_dir_synced(dir);
    return r;
}

static int write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = fileio_write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

int fileio_write_replace(const char *path, const void *p, size_t n)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = fileio_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    if (write_all(fd, p, n) != 0 || fileio_fsync(fd) != 0) {
        int saved = errno;
        fileio_close(fd);
        fileio_unlink(tmp);
        errno = saved;
        return -1;
    }
    if (fileio_close(fd) != 0 || fileio_rename(tmp, path) != 0) {
        int saved = errno;
        fileio_unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

int fileio_write_atomic(const char *path, const void *p, size_t n)
{
    if (fileio_write_replace(path, p, n) != 0)
        return -1;
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    return fileio_fsync_dir(dir);
}

void fileio_crash(void)
{
    if (crash_sim)
        track_crash();
    _exit(137);
}
