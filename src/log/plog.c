/* The partition log: append, roll, high watermark, close and delete.
 * Reads are in plog_read.c, recovery in recovery.c, retention in
 * retention.c, timestamp lookups in plog_time.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
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
#include "log/segcache.h"
#include "core/byteorder.h"

#define DEFAULT_SEGMENT_BYTES (1ll << 30)
#define DEFAULT_INDEX_INTERVAL 4096

void plog_normalize_config(struct log_config *c)
{
    if (c->segment_bytes <= 0)
        c->segment_bytes = DEFAULT_SEGMENT_BYTES;
    c->segment_bytes = MIN(c->segment_bytes, (int64_t)INT32_MAX);   /* positions are 32-bit */
    if (c->index_interval_bytes <= 0)
        c->index_interval_bytes = DEFAULT_INDEX_INTERVAL;
}

void plog_free(struct plog *l)
{
    if (!l)
        return;
    segcache_forget(l->uid, -1);
    fileref_put(l->read_file);
    fileref_put(l->active);
    for (int i = 0; i < l->nsegs; i++)
        seg_release(&l->segs[i]);
    free(l->segs);
    free(l->dir);
    free(l);
}

int64_t plog_log_start(const struct plog *l) { return l->log_start; }
int64_t plog_log_end(const struct plog *l) { return plog_leo(l); }
int64_t plog_high_watermark(const struct plog *l) { return l->hw; }
uint64_t plog_size_bytes(const struct plog *l) { return l->total_size; }
int plog_segment_count(const struct plog *l) { return l->nsegs; }
int32_t plog_leader_epoch(const struct plog *l) { return l->leader_epoch; }
struct fileref *plog_active_file(struct plog *l) { return l->active; }
uint64_t plog_recovered_bytes(const struct plog *l) { return l->recovered_bytes; }

void plog_set_leader_epoch(struct plog *l, int32_t epoch)
{
    if (epoch != l->leader_epoch) {
        l->leader_epoch = epoch;
        l->dirty = true;
    }
}

void plog_set_config(struct plog *l, const struct log_config *cfg)
{
    l->cfg = *cfg;
    plog_normalize_config(&l->cfg);
}

static int fsync_parent(const char *dir)
{
    char parent[PATH_MAX];
    const char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(parent, sizeof(parent), ".");
    else if (slash == dir)
        snprintf(parent, sizeof(parent), "/");
    else
        snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir);
    return fileio_fsync_dir(parent);
}

/* Once per open, before the first write: make new directory entries
 * durable and stop a clean checkpoint from being trusted after a crash. */
static int prepare_writes(struct plog *l)
{
    if (l->tail_dirty) {
        if (fileio_ftruncate(l->active->fd, active_seg(l)->size) != 0)
            return -1;
        l->tail_dirty = false;
    }
    if (l->dir_sync_pending) {
        if (fileio_fsync_dir(l->dir) != 0 || (l->parent_sync_pending && fsync_parent(l->dir) != 0)) {
            LOG_WARN("cannot fsync directory", "dir=%s error=\"%s\"", l->dir, strerror(errno));
            return -1;
        }
        l->dir_sync_pending = l->parent_sync_pending = false;
    }
    if (l->clean_on_disk && checkpoint_persist(l) != 0)
        return -1;
    return 0;
}

int plog_roll(struct plog *l)
{
    struct segment *old = active_seg(l);
    char path[PATH_MAX];
    /* a closed segment must end exactly at its last batch */
    if (prepare_writes(l) != 0)
        return KERR_KAFKA_STORAGE_ERROR;
    if (fileio_fdatasync(l->active->fd) != 0) {
        seg_path(path, sizeof(path), l->dir, old->base, "log");
        LOG_WARN("fdatasync failed at roll", "file=%s error=\"%s\"", path, strerror(errno));
        return KERR_KAFKA_STORAGE_ERROR;
    }
    int64_t old_base = old->base, new_base = old->end;
    if (index_save(l, old) == 0)
        old->index = INDEX_SAVED;   /* else saved at close, or rebuilt when needed */

    seg_path(path, sizeof(path), l->dir, new_base, "index");
    fileio_unlink(path);
    seg_path(path, sizeof(path), l->dir, new_base, "timeindex");
    fileio_unlink(path);
    seg_path(path, sizeof(path), l->dir, new_base, "log");
    int fd = fileio_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    /* the new name must be durable before data synced into it counts */
    if (fd < 0 || fileio_fsync_dir(l->dir) != 0) {
        LOG_WARN("cannot create segment", "file=%s error=\"%s\"", path, strerror(errno));
        if (fd >= 0) {
            fileio_close(fd);
            fileio_unlink(path);
        }
        return KERR_KAFKA_STORAGE_ERROR;
    }
    plog_add_segment(l, new_base);
    segcache_put(l->uid, old_base, l->active);   /* lagging readers will want it */
    l->active = fileref_new(fd, fileio_close);
    /* the old segment is on disk in full: readers may have all of it */
    l->hw = new_base;
    l->hw_pos = 0;
    plog_hints_reset(l);
    l->dirty = true;
    checkpoint_persist(l);   /* moves the recovery point; if it fails an older one is still right */
    plog_check_offsets(l);
    return 0;
}

static bool roll_due(const struct plog *l, const struct segment *s, int64_t now, size_t len,
                     int64_t records)
{
    if (s->size == 0)
        return false;
    if (s->size + (int64_t)len > l->cfg.segment_bytes)
        return true;
    if (l->cfg.segment_ms > 0 && s->first_ts >= 0 && now - s->first_ts > l->cfg.segment_ms)
        return true;
    return s->end + records - 1 - s->base > INT32_MAX;   /* relative offsets are 32-bit */
}

int plog_append(struct plog *l, uint8_t *buf, size_t len, int32_t batch_count, struct plog_appended *out)
{
    *out = (struct plog_appended){.base_offset = -1, .log_append_time = -1};
    if (batch_count <= 0 || len == 0)
        return KERR_CORRUPT_MESSAGE;
    if (len > INT32_MAX)
        return KERR_MESSAGE_TOO_LARGE;
    /* the batches were validated; check only that they tile buf */
    int64_t records = 0;
    size_t off = 0;
    for (int32_t i = 0; i < batch_count; i++) {
        if (len - off < BATCH_HEADER_SIZE)
            return KERR_CORRUPT_MESSAGE;
        int32_t blen = (int32_t)be32(buf + off + BATCH_OFF_LENGTH);
        int32_t lod = (int32_t)be32(buf + off + BATCH_OFF_LAST_OFFSET_DELTA);
        if (blen < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || (size_t)blen + BATCH_LOG_OVERHEAD > len - off ||
            lod < 0)
            return KERR_CORRUPT_MESSAGE;
        records += (int64_t)lod + 1;
        off += (size_t)blen + BATCH_LOG_OVERHEAD;
    }
    if (off != len)
        return KERR_CORRUPT_MESSAGE;
    if (prepare_writes(l) != 0)
        return KERR_KAFKA_STORAGE_ERROR;

    int64_t now = now_ms();
    struct segment *s = active_seg(l);
    if (roll_due(l, s, now, len, records)) {
        int rc = plog_roll(l);
        if (rc)
            return rc;
        s = active_seg(l);
        out->rolled = true;
    }
    bool lat = l->cfg.log_append_time;
    int64_t next = s->end;
    for (off = 0; off < len;) {
        uint8_t *p = buf + off;
        batch_stamp(p, next, l->leader_epoch, lat, now);
        next += (int64_t)(int32_t)be32(p + BATCH_OFF_LAST_OFFSET_DELTA) + 1;
        off += (size_t)(int32_t)be32(p + BATCH_OFF_LENGTH) + BATCH_LOG_OVERHEAD;
    }

    if (write_exact(l->active->fd, buf, len, s->size) != 0) {
        char path[PATH_MAX];
        seg_path(path, sizeof(path), l->dir, s->base, "log");
        LOG_WARN("append failed", "file=%s pos=%" PRId64 " len=%zu error=\"%s\"", path, s->size, len,
                 strerror(errno));
        if (fileio_ftruncate(l->active->fd, s->size) != 0)
            l->tail_dirty = true;   /* retried before the next append */
        return KERR_KAFKA_STORAGE_ERROR;
    }

    for (off = 0; off < len;) {
        const uint8_t *p = buf + off;
        int64_t size = (int64_t)(int32_t)be32(p + BATCH_OFF_LENGTH) + BATCH_LOG_OVERHEAD;
        index_note_batch(s, s->size + (int64_t)off, (int64_t)be64(p + BATCH_OFF_BASE_OFFSET), size,
                         (int64_t)be64(p + BATCH_OFF_MAX_TIMESTAMP), l->cfg.index_interval_bytes);
        off += (size_t)size;
    }
    if (s->first_ts < 0)
        s->first_ts = now;   /* segment.ms counts broker time, so old client timestamps cannot force rolls */
    out->base_offset = s->end;
    s->size += (int64_t)len;
    s->end = next;
    l->total_size += len;
    l->dirty = true;
    l->hints[l->hint_next++ % PLOG_HINTS] = (struct pos_hint){next, s->size};
    if (lat)
        out->log_append_time = now;
    plog_check_offsets(l);
    return 0;
}

void plog_set_high_watermark(struct plog *l, int64_t hw)
{
    struct segment *act = active_seg(l);
    /* the flusher reports a log end it saw, and the log end only grows */
    INVARIANT(hw <= act->end, "high watermark <= log end", "dir=%s new_hw=%lld log_end=%lld", l->dir,
              (long long)hw, (long long)act->end);
    if (hw <= l->hw)
        return;   /* a real case: a roll or checkpoint already published it */
    int64_t pos = hw == act->end ? act->size : plog_hint_lookup(l, hw);
    if (pos < 0) {
        struct hdr_walker w;
        struct walked_batch b;
        int rc = plog_locate(l, l->nsegs - 1, hw, act->size, &w, &b);
        if (rc) {
            LOG_WARN("cannot find the high watermark position", "dir=%s offset=%" PRId64 " error=%d", l->dir,
                     hw, rc);
            return;
        }
        hw = b.base;   /* inside a batch: only whole batches become visible */
        pos = b.pos;
        if (hw <= l->hw)
            return;
    }
    l->hw = hw;
    l->hw_pos = pos;
    plog_check_offsets(l);
}

int plog_checkpoint(struct plog *l)
{
    if (!l->dirty)
        return 0;
    struct segment *act = active_seg(l);
    if (prepare_writes(l) != 0 || fileio_fdatasync(l->active->fd) != 0) {
        LOG_WARN("cannot sync log for checkpoint", "dir=%s error=\"%s\"", l->dir, strerror(errno));
        return KERR_KAFKA_STORAGE_ERROR;
    }
    l->hw = act->end;   /* everything is on disk now */
    l->hw_pos = act->size;
    for (int i = 0; i < l->nsegs - 1; i++)
        if (l->segs[i].index == INDEX_UNSAVED && index_save(l, &l->segs[i]) == 0)
            l->segs[i].index = INDEX_SAVED;
    if (index_save(l, act) != 0 || checkpoint_write(l, true) != 0 || fileio_fsync_dir(l->dir) != 0)
        return KERR_KAFKA_STORAGE_ERROR;
    act->index = INDEX_SAVED;
    l->clean_on_disk = true;
    l->dirty = false;
    plog_check_offsets(l);
    return 0;
}

void plog_close(struct plog *l)
{
    if (!l)
        return;
    plog_checkpoint(l);
    plog_free(l);
}

static int remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= remove_tree(path);
        else if (fileio_unlink(path) != 0 && errno != ENOENT)
            rc = -1;
    }
    closedir(d);
    if (rmdir(dir) != 0 && errno != ENOENT)
        rc = -1;
    return rc;
}

int plog_delete(struct plog *l)
{
    char *dir = xstrdup(l->dir);
    plog_free(l);
    int rc = remove_tree(dir);
    if (rc)
        LOG_WARN("cannot remove log directory", "dir=%s error=\"%s\"", dir, strerror(errno));
    free(dir);
    return rc ? KERR_KAFKA_STORAGE_ERROR : 0;
}
