/* Walking batch headers on disk without reading whole batches: a chunk
 * is read at once and headers are taken from memory; a batch larger
 * than the chunk costs one more read at its end. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/batch.h"
#include "log/fileio.h"
#include "log/kerr.h"
#include "log/plog_internal.h"
#include "core/byteorder.h"

int read_exact(int fd, void *buf, size_t n, int64_t off)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = pread(fd, p, n, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO;   /* the file is shorter than we know it to be */
            return -1;
        }
        p += r;
        n -= (size_t)r;
        off += r;
    }
    return 0;
}

int write_exact(int fd, const void *buf, size_t n, int64_t off)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t w = fileio_pwrite(fd, p, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

void walker_init(struct hdr_walker *w, int fd, int64_t pos, int64_t limit)
{
    w->fd = fd;
    w->pos = pos;
    w->limit = limit;
    w->buf_off = 0;
    w->buf_len = 0;
    w->err = 0;
}

bool walker_next(struct hdr_walker *w, struct walked_batch *b)
{
    if (w->err || w->pos >= w->limit)
        return false;
    if (w->limit - w->pos < BATCH_HEADER_SIZE) {
        w->err = KERR_CORRUPT_MESSAGE;
        return false;
    }
    if (w->pos < w->buf_off || w->pos + BATCH_HEADER_SIZE > w->buf_off + (int64_t)w->buf_len) {
        size_t n = (size_t)MIN((int64_t)sizeof(w->buf), w->limit - w->pos);
        if (read_exact(w->fd, w->buf, n, w->pos) != 0) {
            w->err = KERR_KAFKA_STORAGE_ERROR;
            return false;
        }
        w->buf_off = w->pos;
        w->buf_len = n;
    }
    const uint8_t *h = w->buf + (w->pos - w->buf_off);
    int32_t blen = (int32_t)be32(h + BATCH_OFF_LENGTH);
    int32_t lod = (int32_t)be32(h + BATCH_OFF_LAST_OFFSET_DELTA);
    int64_t size = (int64_t)blen + BATCH_LOG_OVERHEAD;
    if (blen < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || lod < 0 || w->pos + size > w->limit) {
        w->err = KERR_CORRUPT_MESSAGE;
        return false;
    }
    b->pos = w->pos;
    b->size = size;
    b->base = (int64_t)be64(h + BATCH_OFF_BASE_OFFSET);
    b->last = (int64_t)((uint64_t)b->base + (uint64_t)lod);   /* no UB on a garbage header */
    b->max_ts = (int64_t)be64(h + BATCH_OFF_MAX_TIMESTAMP);
    w->pos += size;
    return true;
}

int plog_locate(struct plog *l, int i, int64_t offset, int64_t limit, struct hdr_walker *w,
                struct walked_batch *b)
{
    struct fileref *f = plog_segment_file(l, i);
    if (!f)
        return KERR_KAFKA_STORAGE_ERROR;
    struct segment *s = &l->segs[i];
    int64_t start = 0;
    if (offset > s->base) {
        int rc = index_ensure(l, i);
        if (rc)
            return rc;
        start = index_pos_for_offset(s, offset);
    }
    walker_init(w, f->fd, start, limit);
    while (walker_next(w, b))
        if (b->last >= offset)
            return 0;
    return w->err ? w->err : KERR_OFFSET_OUT_OF_RANGE;
}
