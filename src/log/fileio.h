/* All log and metadata file I/O goes through here, so tests can inject
 * faults into the real broker:
 *  - crash simulation: every write not covered by a completed fsync is
 *    thrown away when the simulated crash happens (as SQLite's crash
 *    tests do); a plain kill -9 keeps the page cache and could not tell
 *    an fsync from none;
 *  - disk full: writes fail with ENOSPC while a trigger file exists.
 * Both are off unless a test-only property turns them on. */
#ifndef SLUICE_FILEIO_H
#define SLUICE_FILEIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fileio_faults {
    bool crash_sim;                 /* track synced sizes for fileio_crash() */
    const char *disk_full_file;     /* ENOSPC while this path exists (NULL: off) */
};
/* Call before opening files (it also resets crash-simulation tracking).
 * NULL turns every fault mode off. */
void fileio_configure(const struct fileio_faults *f);

/* Thin wrappers; they return what the syscalls return (errno set).
 * fileio_open always adds O_CLOEXEC. */
int fileio_open(const char *path, int flags, mode_t mode);
ssize_t fileio_pwrite(int fd, const void *p, size_t n, off_t off);
ssize_t fileio_write(int fd, const void *p, size_t n);
int fileio_fdatasync(int fd);
int fileio_fsync(int fd);
int fileio_ftruncate(int fd, off_t len);
int fileio_close(int fd);
int fileio_unlink(const char *path);
int fileio_rename(const char *from, const char *to);
int fileio_fsync_dir(const char *dir);
/* Writes a whole small file atomically: tmp, fsync, rename, fsync dir. */
int fileio_write_atomic(const char *path, const void *p, size_t n);
/* The same without the directory fsync, for callers that replace
 * several files and then fsync the directory once. */
int fileio_write_replace(const char *path, const void *p, size_t n);

/* Crash simulation: truncate every tracked file to its last synced
 * length, then _exit(137). Called from the loop thread. */
void fileio_crash(void) __attribute__((noreturn));
#endif
