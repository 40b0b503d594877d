/* Retention by time and size, DeleteRecords, and rolling by time.
 * Deleting a segment persists the new log start first, then unlinks the
 * files: readers holding the file keep reading it, and a crash in
 * between leaves segments below the log start that plog_open drops. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/kerr.h"
#include "log/log_internal.h"
#include "log/plog_internal.h"

/* Removes the n oldest segments (never the active one). Returns the
 * number removed; *persisted is false if the checkpoint failed. */
static int delete_oldest(struct plog *l, int n, bool *persisted)
{
    n = MIN(n, l->nsegs - 1);   /* callers count candidates; the active segment always stays */
    *persisted = true;
    if (n <= 0)
        return 0;
    int64_t *bases = xmalloc((size_t)n * sizeof(*bases));
    for (int i = 0; i < n; i++) {
        bases[i] = l->segs[i].base;
        l->total_size -= (uint64_t)l->segs[i].size;
        plog_forget_file(l, l->segs[i].base);
        seg_release(&l->segs[i]);
    }
    memmove(l->segs, l->segs + n, (size_t)(l->nsegs - n) * sizeof(*l->segs));
    l->nsegs -= n;
    /* a real case: a DeleteRecords offset inside the new first segment stays */
    l->log_start = MAX(l->log_start, l->segs[0].base);
    plog_check_offsets(l);
    l->dirty = true;
    *persisted = checkpoint_persist(l) == 0;
    for (int i = 0; i < n; i++)   /* even if the checkpoint failed: the space may be needed */
        seg_remove_files(l->dir, bases[i]);
    free(bases);
    return n;
}

/* The time a segment counts as written: its largest timestamp, or the
 * file's mtime when no batch carried one. */
static int64_t segment_time(struct plog *l, int i)
{
    struct segment *s = &l->segs[i];
    if (s->max_ts >= 0)
        return s->max_ts;
    char path[PATH_MAX];
    struct stat st;
    seg_path(path, sizeof(path), l->dir, s->base, "log");
    if (stat(path, &st) != 0)
        return INT64_MAX;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

static int expired_by_time(struct plog *l, int64_t now)
{
    if (l->cfg.retention_ms < 0)
        return 0;
    int64_t cutoff = now - l->cfg.retention_ms;
    int n = 0;
    while (n < l->nsegs - 1 && l->segs[n].end <= l->hw && index_ensure(l, n) == 0 &&
           segment_time(l, n) < cutoff)
        n++;
    return n;
}

/* Counting on from the first `from` segments already going. */
static int expired_by_size(struct plog *l, int from)
{
    if (l->cfg.retention_bytes < 0)
        return from;
    uint64_t total = l->total_size;
    for (int i = 0; i < from; i++)
        total -= (uint64_t)l->segs[i].size;
    int n = from;
    while (n < l->nsegs - 1 && l->segs[n].end <= l->hw &&
           total - (uint64_t)l->segs[n].size >= (uint64_t)l->cfg.retention_bytes) {
        total -= (uint64_t)l->segs[n].size;
        n++;
    }
    return n;
}

int plog_housekeep(struct plog *l, int64_t now)
{
    if (l->read_file && !l->read_used) {   /* no reads since the last round */
        fileref_put(l->read_file);
        l->read_file = NULL;
    }
    l->read_used = false;

    struct segment *act = active_seg(l);
    bool time_roll = l->cfg.segment_ms > 0 && act->size > 0 && act->first_ts >= 0 &&
                     now - act->first_ts > l->cfg.segment_ms;
    /* an active segment that has wholly expired is rolled so it can go,
     * leaving an empty active segment at the log end */
    bool active_expired = l->cfg.retention_ms >= 0 && act->size > 0 && act->max_ts >= 0 &&
                          act->max_ts < now - l->cfg.retention_ms;
    if (time_roll || active_expired)
        plog_roll(l);   /* on failure: logged, tried again next round */

    int n = expired_by_size(l, expired_by_time(l, now));
    while (n < l->nsegs - 1 && l->segs[n + 1].base <= l->log_start)
        n++;   /* wholly below a DeleteRecords offset */
    bool persisted;
    return delete_oldest(l, n, &persisted);
}

int plog_delete_records(struct plog *l, int64_t offset)
{
    if (offset == -1)
        offset = l->hw;   /* DeleteRecords: -1 means the high watermark */
    if (offset < 0 || offset > l->hw)
        return KERR_OFFSET_OUT_OF_RANGE;
    if (offset <= l->log_start)
        return 0;
    l->log_start = offset;
    plog_check_offsets(l);
    l->dirty = true;
    int n = 0;
    while (n < l->nsegs - 1 && l->segs[n + 1].base <= offset)
        n++;
    bool persisted;
    if (n > 0)
        delete_oldest(l, n, &persisted);
    else
        persisted = checkpoint_persist(l) == 0;
    return persisted ? 0 : KERR_KAFKA_STORAGE_ERROR;
}
