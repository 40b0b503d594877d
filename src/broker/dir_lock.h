/* One broker per data directory: an exclusive flock on DIR/.lock, held
 * for the process's life, as Kafka locks each log directory. The kernel
 * drops the lock when the process dies (kill -9 included), so a lock
 * file left behind never blocks a restart; the file holds the owner's
 * pid only to name it in the error a second broker gets. */
#ifndef SLUICE_DIR_LOCK_H
#define SLUICE_DIR_LOCK_H
#include <stddef.h>

/* Returns the descriptor that holds the lock (close it to release), or
 * -1 with err naming the directory and, if known, the holder's pid. */
int dir_lock(const char *dir, char *err, size_t errlen);
#endif
