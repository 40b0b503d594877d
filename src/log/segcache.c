#include "log/segcache.h"
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include "core/fileref.h"
#include "log/fileio.h"

struct cache_entry {
    uint64_t uid;
    int64_t base;
    struct fileref *file;     /* NULL: free slot */
    uint64_t last_used;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry cache[SEGCACHE_SIZE];
static uint64_t clock_tick;

static struct cache_entry *find(uint64_t uid, int64_t base)
{
    for (int i = 0; i < SEGCACHE_SIZE; i++)
        if (cache[i].file && cache[i].uid == uid && cache[i].base == base)
            return &cache[i];
    return NULL;
}

/* Stores f; returns the reference it displaced (to put outside the lock). */
static struct fileref *insert(uint64_t uid, int64_t base, struct fileref *f)
{
    struct cache_entry *slot = find(uid, base);
    if (!slot) {
        slot = &cache[0];
        for (int i = 0; i < SEGCACHE_SIZE && slot->file; i++)
            if (!cache[i].file || cache[i].last_used < slot->last_used)
                slot = &cache[i];
    }
    struct fileref *old = slot->file;
    slot->uid = uid;
    slot->base = base;
    slot->file = f;
    slot->last_used = ++clock_tick;
    return old;
}

struct fileref *segcache_get(uint64_t uid, int64_t base, const char *path)
{
    pthread_mutex_lock(&mu);
    struct cache_entry *e = find(uid, base);
    if (e) {
        e->last_used = ++clock_tick;
        struct fileref *f = fileref_get(e->file);
        pthread_mutex_unlock(&mu);
        return f;
    }
    pthread_mutex_unlock(&mu);

    int fd = fileio_open(path, O_RDONLY, 0);   /* opened outside the lock */
    if (fd < 0)
        return NULL;
    struct fileref *f = fileref_new(fd, fileio_close);
    pthread_mutex_lock(&mu);
    struct fileref *old = insert(uid, base, fileref_get(f));
    pthread_mutex_unlock(&mu);
    fileref_put(old);
    return f;
}

void segcache_put(uint64_t uid, int64_t base, struct fileref *f)
{
    pthread_mutex_lock(&mu);
    struct fileref *old = insert(uid, base, f);
    pthread_mutex_unlock(&mu);
    fileref_put(old);
}

void segcache_forget(uint64_t uid, int64_t base)
{
    struct fileref *drop[SEGCACHE_SIZE];
    int n = 0;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < SEGCACHE_SIZE; i++)
        if (cache[i].file && cache[i].uid == uid && (base < 0 || cache[i].base == base)) {
            drop[n++] = cache[i].file;
            cache[i].file = NULL;
        }
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < n; i++)
        fileref_put(drop[i]);
}

int segcache_open_count(void)
{
    int n = 0;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < SEGCACHE_SIZE; i++)
        n += cache[i].file != NULL;
    pthread_mutex_unlock(&mu);
    return n;
}
