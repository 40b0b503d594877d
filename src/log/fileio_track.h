/* Crash simulation bookkeeping behind fileio.c: per file, how much has
 * been written and how much is known to be on disk. Thread-safe. */
#ifndef SLUICE_FILEIO_TRACK_H
#define SLUICE_FILEIO_TRACK_H
#include <sys/types.h>

void track_reset(void);
int track_open(const char *path, int flags, mode_t mode);   /* opens and tracks */
void track_wrote(int fd, off_t end);
off_t track_size(int fd);                 /* -1 if untracked */
void track_synced(int fd, off_t size_at_sync_start);
void track_truncated(int fd, off_t len);
void track_closed(int fd);
void track_unlinked(const char *path);
void track_renamed(const char *from, const char *to);
void track_dir_synced(const char *dir);
/* Drops everything not durable. Leaves the table locked: the process is about to exit. */
void track_crash(void);
#endif
