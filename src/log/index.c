/* Sparse offset and time indexes of a segment: built as batches are
 * appended (or recovered), saved at roll and clean close, loaded lazily
 * for closed segments and rebuilt from the log when missing or bad. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/fileio.h"
#include "log/kerr.h"
#include "log/log_internal.h"
#include "log/plog_internal.h"
#include "core/byteorder.h"

#define OFFSET_ENTRY_SIZE 8
#define TIME_ENTRY_SIZE 12
#define INDEX_FILE_MAX (256u << 20)

void index_reset(struct segment *s)
{
    s->n_oidx = s->n_tidx = 0;
    s->since_entry = 0;
    s->max_ts = s->max_ts_offset = -1;
}

static void push_offset(struct segment *s, uint32_t rel, uint32_t pos)
{
    if (s->n_oidx == s->cap_oidx) {
        s->cap_oidx = s->cap_oidx ? s->cap_oidx * 2 : 16;
        s->oidx = xrealloc(s->oidx, s->cap_oidx * sizeof(*s->oidx));
    }
    s->oidx[s->n_oidx++] = (struct offset_entry){rel, pos};
}

static void push_time(struct segment *s, int64_t ts, uint32_t rel)
{
    if (s->n_tidx == s->cap_tidx) {
        s->cap_tidx = s->cap_tidx ? s->cap_tidx * 2 : 16;
        s->tidx = xrealloc(s->tidx, s->cap_tidx * sizeof(*s->tidx));
    }
    s->tidx[s->n_tidx++] = (struct time_entry){ts, rel};
}

static int64_t last_indexed_ts(const struct segment *s)
{
    return s->n_tidx ? s->tidx[s->n_tidx - 1].ts : -1;
}

void index_note_batch(struct segment *s, int64_t pos, int64_t base, int64_t size, int64_t max_ts,
                      int32_t interval)
{
    if (max_ts > s->max_ts) {
        s->max_ts = max_ts;
        s->max_ts_offset = base;
    }
    if (s->since_entry >= interval) {
        push_offset(s, (uint32_t)(base - s->base), (uint32_t)pos);
        if (s->max_ts > last_indexed_ts(s))
            push_time(s, s->max_ts, (uint32_t)(s->max_ts_offset - s->base));
        s->since_entry = 0;
    }
    s->since_entry += size;
    if (s->index == INDEX_SAVED)
        s->index = INDEX_UNSAVED;
}

/* The keys the indexes are searched by; each rises with the entry. */
static int64_t offset_entry_rel(const struct segment *s, uint32_t i) { return s->oidx[i].rel; }
static int64_t offset_entry_pos(const struct segment *s, uint32_t i) { return s->oidx[i].pos; }
static int64_t time_entry_ts(const struct segment *s, uint32_t i) { return s->tidx[i].ts; }

/* How many of the first n entries have key(s, i) <= limit (binary search). */
static uint32_t entries_at_most(const struct segment *s, uint32_t n, int64_t limit,
                                int64_t (*key)(const struct segment *, uint32_t))
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (key(s, mid) <= limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t index_pos_for_offset(const struct segment *s, int64_t offset)
{
    uint32_t k = entries_at_most(s, s->n_oidx, offset - s->base, offset_entry_rel);
    return k ? s->oidx[k - 1].pos : 0;
}

int64_t index_boundary_below(const struct segment *s, int64_t pos_limit)
{
    uint32_t k = entries_at_most(s, s->n_oidx, pos_limit, offset_entry_pos);
    return k ? s->oidx[k - 1].pos : 0;
}

/* Every batch before the returned offset has maxTimestamp < ts. */
int64_t index_offset_for_time(const struct segment *s, int64_t ts)
{
    uint32_t k = entries_at_most(s, s->n_tidx, ts, time_entry_ts);
    return k ? s->base + s->tidx[k - 1].rel : s->base;
}

/* Reads a whole small file into a new buffer. */
static uint8_t *slurp(const char *path, size_t *len)
{
    int fd = fileio_open(path, O_RDONLY, 0);
    if (fd < 0)
        return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size <= INDEX_FILE_MAX) {
        buf = xmalloc((size_t)st.st_size);
        if (read_exact(fd, buf, (size_t)st.st_size, 0) != 0) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)st.st_size;
    }
    fileio_close(fd);
    return buf;
}

int index_load_files(struct plog *l, struct segment *s)
{
    char path[PATH_MAX];
    size_t olen = 0, tlen = 0;
    seg_path(path, sizeof(path), l->dir, s->base, "index");
    uint8_t *ob = slurp(path, &olen);
    seg_path(path, sizeof(path), l->dir, s->base, "timeindex");
    uint8_t *tb = slurp(path, &tlen);
    int rc = -1;
    int64_t span = s->end - s->base;
    if (!ob || !tb || olen % OFFSET_ENTRY_SIZE || tlen % TIME_ENTRY_SIZE)
        goto out;
    index_reset(s);
    int64_t prev_rel = -1, prev_pos = -1;
    for (size_t i = 0; i < olen; i += OFFSET_ENTRY_SIZE) {
        int64_t rel = be32(ob + i), pos = be32(ob + i + 4);
        if (rel <= prev_rel || pos <= prev_pos || rel >= span || pos >= s->size)
            goto out;
        push_offset(s, (uint32_t)rel, (uint32_t)pos);
        prev_rel = rel;
        prev_pos = pos;
    }
    int64_t prev_ts = -1;
    prev_rel = 0;
    for (size_t i = 0; i < tlen; i += TIME_ENTRY_SIZE) {
        int64_t ts = (int64_t)be64(tb + i), rel = be32(tb + i + 8);
        if (ts <= prev_ts || rel < prev_rel || rel >= span)
            goto out;
        push_time(s, ts, (uint32_t)rel);
        prev_ts = ts;
        prev_rel = rel;
    }
    if (s->n_tidx) {
        s->max_ts = s->tidx[s->n_tidx - 1].ts;
        s->max_ts_offset = s->base + s->tidx[s->n_tidx - 1].rel;
    }
    s->since_entry = s->size - (s->n_oidx ? s->oidx[s->n_oidx - 1].pos : 0);
    rc = 0;
out:
    free(ob);
    free(tb);
    return rc;
}

/* Builds the index by walking the segment's batch headers. */
static int index_rebuild(struct plog *l, int i)
{
    struct segment *s = &l->segs[i];
    struct fileref *f = plog_segment_file(l, i);
    if (!f)
        return KERR_KAFKA_STORAGE_ERROR;
    struct hdr_walker w;
    struct walked_batch b;
    walker_init(&w, f->fd, 0, s->size);
    index_reset(s);
    while (walker_next(&w, &b))
        index_note_batch(s, b.pos, b.base, b.size, b.max_ts, l->cfg.index_interval_bytes);
    return w.err;
}

int index_ensure(struct plog *l, int i)
{
    struct segment *s = &l->segs[i];
    if (s->index != INDEX_UNLOADED)
        return 0;
    if (s->size == 0 || index_load_files(l, s) == 0) {
        s->index = INDEX_SAVED;
        return 0;
    }
    char path[PATH_MAX];
    seg_path(path, sizeof(path), l->dir, s->base, "log");
    LOG_WARN("index missing or invalid, rebuilding it", "file=%s", path);
    int rc = index_rebuild(l, i);
    if (rc) {
        index_reset(s);
        return rc;
    }
    s->index = INDEX_UNSAVED;
    if (index_save(l, s) == 0)
        s->index = INDEX_SAVED;   /* the directory fsync can wait: a lost file is rebuilt again */
    return 0;
}

int index_save(struct plog *l, struct segment *s)
{
    /* The time index ends with the segment's overall maximum, so the
     * maximum is known after a reload without reading the log. */
    bool seal = s->max_ts > last_indexed_ts(s);
    size_t olen = (size_t)s->n_oidx * OFFSET_ENTRY_SIZE;
    size_t tlen = ((size_t)s->n_tidx + seal) * TIME_ENTRY_SIZE;
    uint8_t *buf = xmalloc(olen + tlen);
    uint8_t *p = buf;
    for (uint32_t i = 0; i < s->n_oidx; i++, p += OFFSET_ENTRY_SIZE) {
        put_be32(p, s->oidx[i].rel);
        put_be32(p + 4, s->oidx[i].pos);
    }
    for (uint32_t i = 0; i < s->n_tidx + seal; i++, p += TIME_ENTRY_SIZE) {
        bool last = i == s->n_tidx;
        put_be64(p, (uint64_t)(last ? s->max_ts : s->tidx[i].ts));
        put_be32(p + 8, last ? (uint32_t)(s->max_ts_offset - s->base) : s->tidx[i].rel);
    }
    char path[PATH_MAX];
    int rc = 0;
    seg_path(path, sizeof(path), l->dir, s->base, "index");
    if (fileio_write_replace(path, buf, olen) != 0)
        rc = -1;
    seg_path(path, sizeof(path), l->dir, s->base, "timeindex");
    if (rc == 0 && fileio_write_replace(path, buf + olen, tlen) != 0)
        rc = -1;
    if (rc)
        LOG_WARN("cannot write index", "file=%s error=\"%s\"", path, strerror(errno));
    free(buf);
    return rc;
}
