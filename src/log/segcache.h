/* A process-wide LRU of open closed-segment files, so repeated reads of
 * old segments do not reopen them. Entries are keyed by (log uid, base
 * offset); a log drops its entries when it deletes a segment or closes. */
#ifndef SLUICE_SEGCACHE_H
#define SLUICE_SEGCACHE_H
#include <stdint.h>

struct fileref;

#define SEGCACHE_SIZE 128

/* A new reference to the file, opened read-only if not cached. NULL on error (errno). */
struct fileref *segcache_get(uint64_t uid, int64_t base, const char *path);
/* Hands the cache a reference (e.g. the active file at roll). */
void segcache_put(uint64_t uid, int64_t base, struct fileref *f);
/* Drops one entry, or every entry of uid when base < 0. */
void segcache_forget(uint64_t uid, int64_t base);
int segcache_open_count(void);   /* for tests */
#endif
