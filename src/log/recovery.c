/* plog_open: find the segments, then either trust a clean checkpoint
 * or validate the tail of the log batch by batch and cut it at the
 * first torn or corrupt batch. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/batch.h"
#include "log/fileio.h"
#include "log/kerr.h"
#include "log/log_internal.h"
#include "log/plog_internal.h"

#define RECOVERY_CHUNK (1u << 20)

static atomic_uint_fast64_t last_uid;

static int make_dir(const char *dir, bool *created)
{
    *created = false;
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
        return -1;
    }
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++)   /* parents first */
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(dir, 0755) != 0)
        return -1;
    *created = true;
    return 0;
}

static int cmp_base(const void *a, const void *b)
{
    const struct segment *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static bool has_segment(const struct plog *l, int64_t base)
{
    int i = plog_find_segment(l, base);
    return l->nsegs > 0 && l->segs[i].base == base;
}

/* Collects the .log files; deletes leftover temporary files and index
 * files without a log. */
static int list_dir(struct plog *l, char *err, size_t errlen)
{
    DIR *d = opendir(l->dir);
    if (!d) {
        snprintf(err, errlen, "cannot read %s: %s", l->dir, strerror(errno));
        return -1;
    }
    int64_t *aux = NULL;
    size_t naux = 0, cap_aux = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "checkpoint") == 0 ||
            strcmp(name, "producer-state") == 0)   /* producer_state.h snapshot */
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", l->dir, name);
        size_t nl = strlen(name);
        if (nl > 4 && strcmp(name + nl - 4, ".tmp") == 0) {
            fileio_unlink(path);   /* an interrupted atomic write */
            continue;
        }
        int64_t base;
        const char *ext;
        struct stat st;
        if (!seg_parse_name(name, &base, &ext) || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            LOG_WARN("ignoring unexpected file in log directory", "file=%s", path);
            continue;
        }
        if (strcmp(ext, "log") != 0) {
            if (naux == cap_aux) {
                cap_aux = cap_aux ? cap_aux * 2 : 16;
                aux = xrealloc(aux, cap_aux * sizeof(*aux));
            }
            aux[naux++] = base;
            continue;
        }
        if (st.st_size > INT32_MAX) {
            snprintf(err, errlen, "segment %s is larger than 2 GiB", path);
            rc = -1;
            break;
        }
        struct segment *s = plog_add_segment(l, base);
        s->size = st.st_size;
        s->index = INDEX_UNLOADED;
    }
    closedir(d);
    if (l->nsegs > 1)
        qsort(l->segs, (size_t)l->nsegs, sizeof(*l->segs), cmp_base);
    for (size_t i = 0; rc == 0 && i < naux; i++)
        if (!has_segment(l, aux[i]))
            seg_remove_files(l->dir, aux[i]);   /* the .log is gone: a stale index would mislead a new one */
    free(aux);
    return rc;
}

static void drop_segment(struct plog *l, int i, const char *why)
{
    char path[PATH_MAX];
    seg_path(path, sizeof(path), l->dir, l->segs[i].base, "log");
    LOG_WARN("removing segment", "file=%s reason=\"%s\"", path, why);
    seg_remove_files(l->dir, l->segs[i].base);
    seg_release(&l->segs[i]);
    memmove(&l->segs[i], &l->segs[i + 1], (size_t)(l->nsegs - i - 1) * sizeof(*l->segs));
    l->nsegs--;
}

/* Segments wholly below the log start (their deletion was interrupted)
 * and empty segments that are not the last. */
static void drop_stale_segments(struct plog *l)
{
    while (l->nsegs > 1 && l->segs[1].base <= l->log_start)
        drop_segment(l, 0, "below the log start offset");
    for (int i = l->nsegs - 2; i >= 0; i--)
        if (l->segs[i].size == 0)
            drop_segment(l, i, "empty and not the last segment");
}

/* Keeps [off, off+len) of the file in memory, for validating batches. */
struct scan_buf {
    uint8_t *p;
    size_t cap, len;
    int64_t off;
};

static int scan_fill(struct scan_buf *b, int fd, int64_t pos, size_t n, int64_t file_size)
{
    if (pos >= b->off && pos + (int64_t)n <= b->off + (int64_t)b->len)
        return 0;
    size_t keep = 0;
    if (pos >= b->off && pos < b->off + (int64_t)b->len) {
        keep = (size_t)(b->off + (int64_t)b->len - pos);
        memmove(b->p, b->p + (pos - b->off), keep);
    }
    if (n > b->cap) {
        b->cap = n;
        b->p = xrealloc(b->p, b->cap);
    }
    b->off = pos;
    b->len = keep;
    size_t want = (size_t)MIN((int64_t)b->cap, file_size - pos);
    if (want > keep) {
        if (read_exact(fd, b->p + keep, want - keep, pos + (int64_t)keep) != 0)
            return -1;
        b->len = want;
    }
    return 0;
}

int recover_segment(struct plog *l, int i, int fd, bool *truncated)
{
    struct segment *s = &l->segs[i];
    struct scan_buf buf = {xmalloc(RECOVERY_CHUNK), RECOVERY_CHUNK, 0, 0};
    struct batch_validator *v = batch_validator_new();
    char why[128] = "";
    int64_t pos = 0, next_offset = s->base, now = now_ms();
    int rc = 0;
    index_reset(s);
    s->first_ts = -1;
    *truncated = false;
    while (pos < s->size) {
        struct batch_info bi;
        if (s->size - pos < BATCH_HEADER_SIZE) {
            snprintf(why, sizeof(why), "torn batch header");
            break;
        }
        if (scan_fill(&buf, fd, pos, BATCH_HEADER_SIZE, s->size) != 0) {
            rc = KERR_KAFKA_STORAGE_ERROR;
            break;
        }
        if (batch_parse_header(buf.p + (pos - buf.off), BATCH_HEADER_SIZE, &bi) != 0) {
            snprintf(why, sizeof(why), "invalid batch header");
            break;
        }
        int64_t total = (int64_t)batch_total_size(&bi);
        if (total > s->size - pos) {
            snprintf(why, sizeof(why), "torn batch");
            break;
        }
        if (scan_fill(&buf, fd, pos, (size_t)total, s->size) != 0) {
            rc = KERR_KAFKA_STORAGE_ERROR;
            break;
        }
        if (batch_validate(v, buf.p + (pos - buf.off), (size_t)total, false, &bi, why, sizeof(why)) != 0)
            break;
        if (bi.base_offset < next_offset) {
            snprintf(why, sizeof(why), "batch offsets go backwards");
            break;
        }
        index_note_batch(s, pos, bi.base_offset, total, bi.max_timestamp, l->cfg.index_interval_bytes);
        if (s->first_ts < 0)
            s->first_ts = bi.max_timestamp >= 0 && bi.max_timestamp <= now ? bi.max_timestamp : now;
        l->leader_epoch = MAX(l->leader_epoch, bi.leader_epoch);
        next_offset = bi.base_offset + bi.last_offset_delta + 1;
        pos += total;
    }
    free(buf.p);
    batch_validator_free(v);
    l->recovered_bytes += (uint64_t)pos;
    if (rc) {
        LOG_WARN("cannot read segment during recovery", "segment=%" PRId64 " error=\"%s\"", s->base,
                 strerror(errno));
        return rc;
    }
    if (pos < s->size) {
        char path[PATH_MAX];
        seg_path(path, sizeof(path), l->dir, s->base, "log");
        LOG_WARN("truncating log at the first invalid batch",
                 "file=%s pos=%" PRId64 " dropped_bytes=%" PRId64 " reason=\"%s\"", path, pos,
                 s->size - pos, why);
        if (fileio_ftruncate(fd, pos) != 0) {
            LOG_WARN("cannot truncate segment", "file=%s error=\"%s\"", path, strerror(errno));
            return KERR_KAFKA_STORAGE_ERROR;
        }
        s->size = pos;
        *truncated = true;
    }
    s->end = pos > 0 ? next_offset : s->base;
    s->index = INDEX_UNSAVED;
    return 0;
}

static void drop_after(struct plog *l, int i)
{
    while (l->nsegs > i + 1)
        drop_segment(l, l->nsegs - 1, "follows a damaged segment");
}

/* No clean checkpoint: validate from the segment holding the recovery
 * point (everything before it was synced at roll) to the end. */
static int recover_tail(struct plog *l, const struct checkpoint *ck)
{
    int first = ck->valid ? plog_find_segment(l, ck->recovery_point) : 0;
    for (int i = first; i < l->nsegs; i++) {
        char path[PATH_MAX];
        seg_path(path, sizeof(path), l->dir, l->segs[i].base, "log");
        if (l->segs[i].size == 0) {
            l->segs[i].index = INDEX_SAVED;
            continue;
        }
        int fd = fileio_open(path, O_RDWR, 0);
        if (fd < 0)
            return KERR_KAFKA_STORAGE_ERROR;
        bool truncated;
        int rc = recover_segment(l, i, fd, &truncated);
        /* what survived the crash is served as durable: make sure it is */
        if (rc == 0 && fileio_fdatasync(fd) != 0)
            rc = KERR_KAFKA_STORAGE_ERROR;
        fileio_close(fd);
        if (rc)
            return rc;
        l->dirty = true;
        if (i + 1 < l->nsegs && (truncated || l->segs[i].end > l->segs[i + 1].base)) {
            drop_after(l, i);   /* later segments would no longer follow on */
            break;
        }
    }
    return 0;
}

/* Clean checkpoint: the active segment is as described; load its index. */
static int load_clean(struct plog *l, const struct checkpoint *ck)
{
    struct segment *act = active_seg(l);
    act->end = ck->log_end;
    act->first_ts = ck->active_first_ts;
    if (act->size > 0 && act->first_ts < 0)
        act->first_ts = now_ms();
    act->index = INDEX_UNLOADED;
    if (act->size > 0 && index_load_files(l, act) != 0) {
        l->recovered_bytes += (uint64_t)act->size;   /* the rebuild walks the headers */
        int rc = index_ensure(l, l->nsegs - 1);
        if (rc)
            return rc;
    }
    act->index = act->index == INDEX_UNLOADED ? INDEX_SAVED : act->index;
    l->clean_on_disk = true;
    return 0;
}

static bool checkpoint_matches(const struct plog *l, const struct checkpoint *ck)
{
    const struct segment *act = &l->segs[l->nsegs - 1];
    return ck->valid && ck->clean && ck->active_base == act->base && ck->active_size == act->size &&
           ck->log_end >= act->base && (act->size > 0 || ck->log_end == act->base);
}

static char *normalize_dir(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return xstrndup(dir, n);
}

struct plog *plog_open(const char *dir, const struct log_config *cfg, char *err, size_t errlen)
{
    struct plog *l = xcalloc(1, sizeof(*l));
    l->dir = normalize_dir(dir);
    l->cfg = *cfg;
    plog_normalize_config(&l->cfg);
    l->uid = atomic_fetch_add(&last_uid, 1) + 1;
    plog_hints_reset(l);
    char path[PATH_MAX];
    bool created;
    if (make_dir(l->dir, &created) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", l->dir, strerror(errno));
        goto fail;
    }
    l->dir_sync_pending = l->parent_sync_pending = created;
    if (list_dir(l, err, errlen) != 0)
        goto fail;

    struct checkpoint ck;
    checkpoint_read(l->dir, &ck);
    l->leader_epoch = ck.valid ? ck.leader_epoch : 0;
    l->log_start = ck.valid ? ck.log_start : l->nsegs ? l->segs[0].base : 0;
    if (l->nsegs == 0)
        plog_add_segment(l, l->log_start);
    drop_stale_segments(l);
    for (int i = 0; i + 1 < l->nsegs; i++)
        l->segs[i].end = l->segs[i + 1].base;

    bool clean = checkpoint_matches(l, &ck);
    if (!clean) {
        int rc = recover_tail(l, &ck);
        if (rc) {
            snprintf(err, errlen, "recovery of %s failed (error %d): %s", l->dir, rc, strerror(errno));
            goto fail;
        }
    }
    struct segment *act = active_seg(l);
    seg_path(path, sizeof(path), l->dir, act->base, "log");
    bool existed = access(path, F_OK) == 0;
    int fd = fileio_open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    l->active = fileref_new(fd, fileio_close);
    if (!existed)
        l->dir_sync_pending = true;
    if (clean && load_clean(l, &ck) != 0) {
        snprintf(err, errlen, "cannot index %s: %s", path, strerror(errno));
        goto fail;
    }

    act = active_seg(l);
    if (act->size > 0 && act->first_ts < 0)
        act->first_ts = now_ms();
    for (int i = 0; i < l->nsegs; i++)
        l->total_size += (uint64_t)l->segs[i].size;
    /* A real case: the checkpoint's log start is from before a crash,
     * so segments may since have gone (below) or been cut short (above). */
    l->log_start = MIN(MAX(l->log_start, l->segs[0].base), act->end);
    /* after a restart everything on disk counts as durable */
    l->hw = act->end;
    l->hw_pos = act->size;
    plog_check_offsets(l);
    return l;
fail:
    plog_free(l);
    return NULL;
}
